"""Turn a flat list of headings (from any format) into nested, citable sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.parsing.slugs import slugify, unique_id
from knowledge.sections import Section, SectionLevel

INTRO_SLUG = "intro"
_MAX_PART_CHARS = 2000
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Heading:
    """One heading found in a document, with the text between it and the next heading."""

    level: int
    text: str
    body: str = ""


@dataclass(frozen=True)
class Outline:
    """A document as its format parser sees it: a title candidate, text before any heading, headings."""

    title: str | None = None
    preamble: str = ""
    headings: list[Heading] = field(default_factory=list)


@dataclass
class _Node:
    heading: Heading
    children: list[_Node] = field(default_factory=list)

    def full_text(self) -> str:
        parts = [self.heading.body.strip()]
        for child in self.children:
            child_text = child.full_text()
            if child_text:
                parts.append(f"{child.heading.text}\n\n{child_text}")
        return "\n\n".join(part for part in parts if part)


def tidy_blank_lines(text: str) -> str:
    """Strip trailing spaces from lines and collapse runs of blank lines into one."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n", lines).strip()


def title_heading(outline: Outline) -> Heading | None:
    """The heading that names the whole document, if there is one.

    That is the first heading when nothing but blank text precedes it, no other heading shares its
    (top) level, and other headings follow it: `# Policy` above `## Purpose`, `## Scope`.
    """
    if len(outline.headings) < 2 or outline.preamble.strip():
        return None
    first = outline.headings[0]
    if first.level >= min(heading.level for heading in outline.headings[1:]):
        return None
    return first


def build_sections(outline: Outline, *, doc_id: str, doc_title: str) -> list[Section]:
    """Nest `outline`'s headings into sections with prefix-preserving, unique citation ids.

    A title heading (see `title_heading`) is not a section: its body becomes the intro. Text before
    the first heading becomes a `<doc-id>:intro` section. Headings whose text (body plus
    sub-sections) is empty are left out.
    """
    headings = list(outline.headings)
    preamble = outline.preamble
    title = title_heading(outline)
    if title is not None:
        headings = headings[1:]
        preamble = f"{preamble}\n\n{title.body}"

    taken: set[str] = set()
    sections: list[Section] = []
    preamble = tidy_blank_lines(preamble)
    if preamble:
        sections.append(
            Section(
                citation_id=unique_id(f"{doc_id}:{INTRO_SLUG}", taken),
                locator="Introduction",
                title=doc_title,
                level=SectionLevel.DOCUMENT,
                text=preamble,
            )
        )
    for root in _nest(headings):
        _emit(root, prefix=f"{doc_id}:", ancestors=[], parent_id=None, taken=taken, out=sections)
    return sections


def build_parts(texts: list[str], *, doc_id: str, doc_title: str, label: str) -> list[Section]:
    """One section per non-empty text, with ids `<doc-id>:<label>-N` and locators `<Label> N`.

    N is the 1-based position in `texts`, so empty entries (a blank PDF page) keep later numbers true.
    """
    sections: list[Section] = []
    slug = slugify(label)
    for number, text in enumerate(texts, start=1):
        cleaned = tidy_blank_lines(text)
        if cleaned:
            sections.append(
                Section(
                    citation_id=f"{doc_id}:{slug}-{number}",
                    locator=f"{label.capitalize()} {number}",
                    title=doc_title,
                    level=SectionLevel.HEADING,
                    text=cleaned,
                )
            )
    return sections


def split_into_parts(text: str, max_chars: int = _MAX_PART_CHARS) -> list[str]:
    """Cut text without headings into parts of about `max_chars`, at paragraph (else line) breaks."""
    pieces: list[str] = []
    for paragraph in tidy_blank_lines(text).split("\n\n"):
        pieces.extend(paragraph.splitlines() if len(paragraph) > max_chars else [paragraph])
    parts: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) + 2 > max_chars:
            parts.append(current)
            current = ""
        current = f"{current}\n\n{piece}" if current else piece
    if current:
        parts.append(current)
    return parts


def _nest(headings: list[Heading]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    for heading in headings:
        node = _Node(heading)
        while stack and stack[-1].heading.level >= heading.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _emit(
    node: _Node,
    *,
    prefix: str,
    ancestors: list[str],
    parent_id: str | None,
    taken: set[str],
    out: list[Section],
) -> None:
    text = node.full_text()
    if not text:
        return
    slug = slugify(node.heading.text) or f"section-{len(out) + 1}"
    citation_id = unique_id(prefix + slug, taken)
    out.append(
        Section(
            citation_id=citation_id,
            locator=node.heading.text,
            title=node.heading.text,
            parents=list(ancestors),
            parent_id=parent_id,
            level=SectionLevel.HEADING,
            text=text,
        )
    )
    for child in node.children:
        _emit(
            child,
            prefix=f"{citation_id}-",
            ancestors=[*ancestors, node.heading.text],
            parent_id=citation_id,
            taken=taken,
            out=out,
        )
