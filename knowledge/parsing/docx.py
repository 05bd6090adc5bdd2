"""Word documents to an outline: paragraphs styled `Heading N` split the text; `Title` is the title."""

from __future__ import annotations

import re
from io import BytesIO

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from knowledge.parsing.headings import Heading, Outline

_HEADING_STYLE = re.compile(r"^heading\s*(?P<level>[1-9])$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)


def parse_docx(data: bytes) -> tuple[Outline, str]:
    """Split a .docx at its heading-styled paragraphs; return the outline and the document's plain text.

    Raises whatever python-docx raises for a file that is not a Word document; the caller reports it.
    """
    document = docx.Document(BytesIO(data))
    title_paragraph: str | None = None
    preamble: list[str] = []
    headings: list[tuple[int, str, list[str]]] = []
    all_text: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            text = _table_text(block)
            style = ""
        else:
            text = " ".join(block.text.split())
            style = _style_name(block)
        if not text:
            continue
        all_text.append(text)
        heading = _HEADING_STYLE.match(style)
        if style.lower() == "title" and title_paragraph is None:
            title_paragraph = text
        elif heading:
            headings.append((int(heading.group("level")), text, []))
        else:
            line = f"- {text}" if _LIST_STYLE.match(style) else text
            (headings[-1][2] if headings else preamble).append(line)
    title = (
        title_paragraph
        or (document.core_properties.title or "").strip()
        or (headings[0][1] if headings else None)
    )
    outline = Outline(
        title=title,
        preamble="\n\n".join(preamble),
        headings=[Heading(level=level, text=text, body="\n\n".join(body)) for level, text, body in headings],
    )
    return outline, "\n\n".join(all_text)


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return (style.name or "") if style is not None else ""


def _table_text(table: Table) -> str:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells come back once per grid column; keep each once.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)
