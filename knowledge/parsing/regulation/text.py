"""Text clean-up shared by the format readers."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(\S(?:.*?\S)?)\1")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])(?=\s|$)")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) to one space and trim."""
    return _WHITESPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def strip_emphasis(text: str) -> str:
    """Markdown emphasis markers dropped, their text kept ("**Scope**" -> "Scope")."""
    return _EMPHASIS.sub(r"\2", text)


def tidy(text: str) -> str:
    """Normalise whitespace and drop spaces left before punctuation by removed footnote references."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalise_space(text))


def drop_inline_footnotes(text: str, reference: re.Pattern[str]) -> str:
    """Drop footnote bodies that a conversion inlined after the text, then the references themselves.

    A body is recognised as the second occurrence of the same reference (in the AI Act's amending
    articles, "( *7 )" marks the reference and, later, the note); it runs to the closing quotation mark
    of the amended text, or to the end.
    """
    seen: set[str] = set()
    pieces: list[str] = []
    position = 0
    for match in reference.finditer(text):
        if match.start() < position:
            continue
        key = re.sub(r"\s", "", match.group())
        if key in seen:
            end = text.find("’", match.end())
            pieces.append(text[position : match.start()])
            position = end if end != -1 else len(text)
        seen.add(key)
    pieces.append(text[position:])
    return reference.sub("", "".join(pieces))
