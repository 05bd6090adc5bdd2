"""Markdown to an outline: ATX (`## Scope`) and setext (underlined) headings, outside code fences."""

from __future__ import annotations

import re

from knowledge.parsing.headings import Heading, Outline

_ATX = re.compile(r"^ {0,3}(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?P<line>=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?P<text>\S(?:.*?\S)?)\1")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s")


def has_markdown_headings(text: str) -> bool:
    """Whether `text` has at least one Markdown heading (ATX or setext) outside code fences."""
    return any(heading for heading in _scan(text.splitlines())[1])


def parse_markdown(text: str) -> Outline:
    """Split Markdown (front-matter already removed) at its headings; the title is the first H1."""
    preamble_lines, headings = _scan(text.splitlines())
    title = next((heading.text for heading in headings if heading.level == 1), None)
    return Outline(title=title, preamble="\n".join(preamble_lines), headings=headings)


def plain_heading_text(raw: str) -> str:
    """Heading text without inline Markdown: links keep their text, emphasis and code marks go."""
    text = _LINK.sub(lambda match: match.group("text"), raw)
    text = _EMPHASIS.sub(lambda match: match.group("text"), text)
    return " ".join(text.split())


def _scan(lines: list[str]) -> tuple[list[str], list[Heading]]:
    preamble: list[str] = []
    headings: list[tuple[int, str, list[str]]] = []
    fence: str | None = None

    def body() -> list[str]:
        return headings[-1][2] if headings else preamble

    for line in lines:
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and _closes(fence_match.group("fence"), fence):
                fence = None
            body().append(line)
            continue
        if fence_match:
            fence = fence_match.group("fence")
            body().append(line)
            continue
        atx = _ATX.match(line)
        if atx and (text := plain_heading_text(atx.group("text") or "")):
            headings.append((len(atx.group("marks")), text, []))
            continue
        setext = _SETEXT.match(line)
        current = body()
        if setext and current and _is_setext_title(current):
            text = plain_heading_text(current.pop())
            headings.append((1 if setext.group("line").startswith("=") else 2, text, []))
            continue
        current.append(line)
    return preamble, [Heading(level=level, text=text, body="\n".join(body)) for level, text, body in headings]


def _closes(marker: str, opening: str) -> bool:
    """A fence closes with the same character, at least as many times as it was opened."""
    return marker[0] == opening[0] and len(marker) >= len(opening)


def _is_setext_title(lines: list[str]) -> bool:
    """A setext underline makes a heading of the line above when that line is a one-line paragraph."""
    candidate = lines[-1]
    if not candidate.strip() or _LIST_OR_QUOTE.match(candidate) or candidate.startswith(("    ", "\t")):
        return False
    return len(lines) == 1 or not lines[-2].strip()
