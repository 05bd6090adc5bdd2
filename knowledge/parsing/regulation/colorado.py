"""The Colorado AI Act (SB 24-205) as CSA's section records: `{section, name, content}` per C.R.S. section."""

from __future__ import annotations

import re

from knowledge.parsing.regulation.structure import Block
from knowledge.parsing.regulation.text import normalise_space
from knowledge.parsing.regulation.units import Unit, UnitKind, units_to_sections
from knowledge.sections import Section

SOURCE_ID = "colorado-ai-act"
_SECTION_NUMBER = re.compile(r"^\d+-\d+-\d+$")
# Artefacts of the enrolled-bill PDF: page headers and the legend about capital letters, repeated on pages.
_PAGE_NOISE = re.compile(
    r"PAGE\s+\d+-SENATE BILL 24-205"
    r"|Capital letters or bold .{0,200}?not part of the act\."
)
# The last record runs on into the bill's later sections (an amendment elsewhere, the safety clause, the
# signatures), which are not part of the section.
_NEXT_BILL_SECTION = re.compile(r"\s-\sSECTION\s+\d+\.\s")
_LIST_BULLET = re.compile(r"\s[-#]+\s(?=\()")  # " - (a)", and a few "### (B)" from the conversion


def parse_colorado_sections(data: object, source_id: str | None) -> list[Section] | None:
    """Sections (C.R.S. sections and their numbered subsections), or None if `data` is another shape.

    Ids are `colorado-ai-act:6-1-1701`, `colorado-ai-act:6-1-1701-1`, `colorado-ai-act:6-1-1701-1-a`.
    The OCR of the bill loses some markers (a "(c)" read as "(C)"); text under a lost marker stays in
    the unit before it.
    """
    if not isinstance(data, list) or not data:
        return None
    if not all(isinstance(r, dict) and _SECTION_NUMBER.match(str(r.get("section", ""))) for r in data):
        return None
    units = []
    for record in data:
        content = _NEXT_BILL_SECTION.split(str(record.get("content") or ""), maxsplit=1)[0]
        content = normalise_space(_LIST_BULLET.sub(" ", _PAGE_NOISE.sub(" ", content)))
        title = normalise_space(str(record.get("name") or ""))
        units.append(
            Unit(UnitKind.STATUTE_SECTION, str(record["section"]), title, (), (Block(content, scan=True),))
        )
    return units_to_sections(source_id or SOURCE_ID, units)
