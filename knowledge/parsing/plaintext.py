"""Plain text (and text pulled out of PDFs) to an outline, by spotting heading-like lines.

Numbered lines such as `2.3 Data handling` are headings nested by their number's depth. Without
numbered headings, short Title-Case or ALL-CAPS lines standing on their own are headings.
"""

from __future__ import annotations

import re

from knowledge.parsing.headings import Heading, Outline
from knowledge.parsing.markdown import has_markdown_headings, parse_markdown

_NUMBERED = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,3})*)\.?[ \t]+(?P<title>[A-Z].*)$")
_SMALL_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "vs",
        "via",
        "per",
        "de",
        "la",
        "le",
        "du",
        "des",
        "et",
    }
)
_MAX_HEADING_CHARS = 80
_MAX_NUMBERED_WORDS = 12
_MAX_TITLE_WORDS = 8
_SENTENCE_END = (".", ",", ";", ":", "!", "?")
# "Owner: Jane Doe" is metadata, "Annex A: Definitions" a heading.
_LABELLED_HEADING = re.compile(r"^(?:section|part|chapter|annex|appendix|schedule|article)\b", re.IGNORECASE)
_MIN_NUMBERED = 2
# "12 March 2024" on its own line is a date, not section 12.
_MONTHS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)


def parse_plain_text(text: str, *, allow_markdown: bool = True) -> Outline:
    """Split plain text at detected headings; a title-like first line becomes the title candidate.

    With `allow_markdown`, text that carries Markdown headings is read as Markdown (text extracted from
    a PDF should not be: a table cell such as "# of users" is no heading there).
    """
    if allow_markdown and has_markdown_headings(text):
        return parse_markdown(text)
    lines = [line.rstrip() for line in text.splitlines()]
    numbered = {index: level for index in range(len(lines)) if (level := _numbered_level(lines, index))}
    title_index = _title_line(lines, numbered)
    if len(numbered) >= _MIN_NUMBERED:
        levels = numbered
    else:
        levels = {index: 1 for index in range(len(lines)) if _is_title_like(lines, index)}
    if title_index is not None:
        levels.pop(title_index, None)
    return _outline(lines, levels, title_index)


def _outline(lines: list[str], levels: dict[int, int], title_index: int | None) -> Outline:
    preamble: list[str] = []
    headings: list[tuple[int, str, list[str]]] = []
    for index, line in enumerate(lines):
        if index == title_index:
            continue
        if index in levels:
            headings.append((levels[index], " ".join(line.split()), []))
        else:
            (headings[-1][2] if headings else preamble).append(line)
    return Outline(
        title=" ".join(lines[title_index].split()) if title_index is not None else None,
        preamble="\n".join(preamble),
        headings=[Heading(level=level, text=text, body="\n".join(body)) for level, text, body in headings],
    )


def _title_line(lines: list[str], numbered: dict[int, int]) -> int | None:
    """The first non-blank line if heading-like and followed by text: documents open with a title."""
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None or first in numbered or not _looks_like_heading(lines[first]):
        return None
    has_more = any(line.strip() for line in lines[first + 1 :])
    return first if has_more else None


def _numbered_level(lines: list[str], index: int) -> int:
    line = lines[index].strip()
    match = _NUMBERED.match(line)
    if match is None or len(line) > _MAX_HEADING_CHARS or line.endswith(_SENTENCE_END):
        return 0
    words = match.group("title").split()
    if len(words) > _MAX_NUMBERED_WORDS or words[0].lower().rstrip(",.") in _MONTHS:
        return 0
    return match.group("number").count(".") + 1


def _is_title_like(lines: list[str], index: int) -> bool:
    """A short Title-Case/ALL-CAPS line that starts a block and is not continued by lowercase text."""
    if not _looks_like_heading(lines[index]):
        return False
    previous = lines[index - 1].strip() if index > 0 else ""
    if previous and not previous.endswith((".", ":", ";", "!", "?")):
        return False
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    return not (following and following[0].islower())


def _looks_like_heading(line: str) -> bool:
    text = line.strip()
    words = text.split()
    if not words or len(words) > _MAX_TITLE_WORDS or len(text) > _MAX_HEADING_CHARS:
        return False
    if text.endswith(_SENTENCE_END) or not text[0].isalpha() or not text[0].isupper():
        return False
    if ": " in text and not _LABELLED_HEADING.match(text):
        return False
    alpha_words = [word for word in words if word[0].isalpha()]
    if not alpha_words:
        return False
    return all(word[0].isupper() or word.lower() in _SMALL_WORDS for word in alpha_words)
