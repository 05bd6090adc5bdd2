"""EUR-Lex HTML (the Official Journal's CONVEX markup, with ELI element ids) into units.

Articles are `<div id="art_5">` (title in `p.oj-sti-art`), recitals `id="rct_53"`, annexes `id="anx_III"`
(titles in `p.oj-doc-ti`), chapters and their sections `id="cpt_III"` / `id="cpt_III.sct_1"`. Points sit
in two-cell tables (marker cell, text cell), nested for sub-points. Footnote references and the footnotes
themselves (`p.oj-note`) are dropped.
"""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import _Element

from knowledge.parsing.regulation.structure import Block
from knowledge.parsing.regulation.text import tidy
from knowledge.parsing.regulation.units import Unit, UnitKind, chapter_heading, units_to_sections
from knowledge.sections import ParseError, Section

_UNIT_ID = re.compile(r"^(art|rct|anx)_(\d+|[IVXLC]+)$")
_UNIT_ID_IN_HTML = re.compile(r"""id=["'](?:art|rct|anx)_(?:\d+|[IVXLC]+)["']""")
_DIVISION_ID = re.compile(r"^cpt_[^.]+(?:\.sct_\d+)?$")
_KINDS = {"art": UnitKind.ARTICLE, "rct": UnitKind.RECITAL, "anx": UnitKind.ANNEX}
# A cell holding only a marker ("(a)", "1.", "3.2.", "—"): it is joined to the text cell after it.
_BARE_MARKER = re.compile(r"(?:\(\w{1,4}\)|\d{1,3}(?:\.\d{1,2})?\.|[—–-])")
_RECITAL_NUMBER = re.compile(r"^\(\d+\)\s*")
_TITLE_CLASSES = frozenset({"oj-ti-art", "oj-sti-art", "oj-doc-ti", "eli-title"})
_HEADING_CLASSES = frozenset({"oj-ti-grseq-1", "oj-ti-section-1", "oj-ti-section-2"})
_INLINE_ENUMERATION = "oj-enumeration-spacing"  # a marker and its text as two inline paragraphs
_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def is_eurlex_html(html: str) -> bool:
    """Whether `html` is EUR-Lex markup with `art_N`, `rct_N` or `anx_X` element ids."""
    return bool(_UNIT_ID_IN_HTML.search(html))


def parse_eurlex_html(html: str, source_id: str) -> list[Section]:
    """Sections (recitals, articles, annexes, and their parts) in document order."""
    try:
        # Bytes, because the file's XML declaration is refused on a str.
        root = lxml.html.fromstring(html.encode("utf-8"), parser=_PARSER)
    except (ValueError, lxml.etree.ParserError) as error:
        raise ParseError(f"{source_id}: not readable as HTML: {error}") from error
    units = [_unit(element, kind, number) for element, kind, number in _unit_elements(root)]
    if not units:
        raise ParseError(f"{source_id}: no EUR-Lex articles, recitals or annexes found")
    return units_to_sections(source_id, units)


def _unit_elements(root: _Element) -> list[tuple[_Element, UnitKind, str]]:
    found = []
    for element in root.iter("div"):
        match = _UNIT_ID.match(element.get("id", ""))
        if match:
            found.append((element, _KINDS[match.group(1)], match.group(2)))
    return found


def _unit(element: _Element, kind: UnitKind, number: str) -> Unit:
    blocks = _blocks(element)
    if kind is UnitKind.RECITAL:
        if blocks:
            blocks[0] = Block(_RECITAL_NUMBER.sub("", blocks[0].text))
        return Unit(kind, number, blocks=tuple(blocks))
    if kind is UnitKind.ANNEX:
        titles = [_text(p) for p in element.iter("p") if "oj-doc-ti" in _classes(p)]
        return Unit(kind, number, " ".join(titles[1:]), (), tuple(blocks))
    title = " ".join(_text(p) for p in element.iter("p") if "oj-sti-art" in _classes(p))
    return Unit(kind, number, title, _division_headings(element), tuple(blocks))


def _division_headings(element: _Element) -> tuple[str, ...]:
    """Headings of the chapter and section enclosing an article, outermost first."""
    headings = []
    for ancestor in element.iterancestors("div"):
        if not _DIVISION_ID.match(ancestor.get("id", "")):
            continue
        label = next((_text(p) for p in ancestor if "oj-ti-section-1" in _classes(p)), "")
        title = next((_text(d) for d in ancestor if "eli-title" in _classes(d)), "")
        headings.append(chapter_heading(label, title))
    return tuple(reversed(headings))


# --- Text ------------------------------------------------------------------------------------------


def _classes(element: _Element) -> set[str]:
    return set(str(element.get("class", "")).split())


def _is_note(element: _Element) -> bool:
    """A footnote, or a reference to one (an anchor around `span.oj-note-tag`)."""
    if "oj-note" in _classes(element):
        return True
    if element.tag == "a":
        return str(element.get("href", "")).startswith("#ntr") or any(
            "oj-note-tag" in _classes(span) for span in element.iter("span")
        )
    return False


def _text(element: _Element) -> str:
    """The element's text without footnote references, whitespace normalised."""
    return tidy("".join(_text_parts(element)))


def _text_parts(element: _Element) -> list[str]:
    # An exponent is marked, so that "10<sup>25</sup>" does not read as 1025.
    parts = ["^" if "oj-super" in _classes(element) else "", element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # comments, processing instructions
            parts.append(child.tail or "")
            continue
        if not _is_note(child):
            parts.extend(_text_parts(child))
        parts.append(child.tail or "")
    return parts


def _blocks(unit: _Element) -> list[Block]:
    """The unit's body as blocks; a marker-only table cell is joined to the cell after it."""
    raw: list[Block] = []
    _flow(unit, raw)
    blocks: list[Block] = []
    pending = ""
    for block in raw:
        if _BARE_MARKER.fullmatch(block.text):
            pending = f"{pending} {block.text}".strip()
            continue
        if pending:
            block = Block(f"{pending} {block.text}", heading=block.heading, depth=block.depth)
            pending = ""
        blocks.append(block)
    if pending:
        blocks.append(Block(pending))
    return blocks


_BLOCK_TAGS = frozenset({"p", "div", "table", "tbody", "tr", "td", "col", "colgroup", "hr", "br"})


def _flow(element: _Element, out: list[Block], *, heading: bool = False, depth: int = 0) -> None:
    """Append the blocks of `element`'s content in order: block elements recursively, inline runs joined.

    `depth` counts the table cells around the content (a point's text is one cell deeper than its list).
    """
    run: list[str] = [element.text or ""]

    def flush() -> None:
        text = tidy("".join(run))
        if text:
            out.append(Block(text, heading=heading, depth=depth))
        run.clear()

    for child in element:
        if not isinstance(child.tag, str) or _is_note(child):
            run.append(child.tail or "")
            continue
        classes = _classes(child)
        if child.tag not in _BLOCK_TAGS:
            run.extend(_text_parts(child))
        elif classes & _TITLE_CLASSES:
            pass
        else:
            flush()
            if _INLINE_ENUMERATION in classes:
                out.append(Block(_text(child), depth=depth))
            else:
                inner_heading = heading or bool(classes & _HEADING_CLASSES)
                _flow(child, out, heading=inner_heading, depth=depth + (child.tag == "td"))
        run.append(child.tail or "")
    flush()
