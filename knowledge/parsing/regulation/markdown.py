"""A regulation converted to Markdown (`# Article 5` headings, any level) into units.

The expected layout is the one a script produces from the EUR-Lex HTML: recitals as "(1) ..." lines before
the first article, "CHAPTER"/"SECTION" headings each followed by a title heading, an article's title as
the bold line after its heading, "ANNEX III" headings followed by a title heading, and one line per
paragraph or point. Such conversions drop the line of every table row that had nested rows, so the
splitter runs in its lossy mode (see `structure.build_tree`). Footnote references and the footnotes
after the signatures are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.parsing.regulation.structure import Block
from knowledge.parsing.regulation.text import drop_inline_footnotes, normalise_space, strip_emphasis
from knowledge.parsing.regulation.units import Unit, UnitKind, chapter_heading, units_to_sections
from knowledge.sections import ParseError, Section

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ARTICLE = re.compile(r"^Article\s+(\d+)\s*$", re.I)
_ANNEX = re.compile(r"^ANNEX\s+([IVXLC]+)\s*$", re.I)
_DIVISION = re.compile(r"^(CHAPTER|SECTION)\s+([IVXLC]+|\d+)\s*$", re.I)
_BOLD_LINE = re.compile(r"^(\*\*|__).+\1$")
_RECITAL = re.compile(r"^\((\d{1,3})\)\s+(.*)$")
_ARTICLE_HEADING_ANYWHERE = re.compile(r"^#{1,6}\s+Article\s+\d+\s*$", re.M | re.I)
# The closing formulas after the last article; what follows them (signatures, footnotes) is dropped.
_END_OF_ENACTING_TERMS = re.compile(r"^(?:Done at\b|This Regulation shall be binding\b)")
_STAR_FOOTNOTE = re.compile(r"\s*\(\*\d*\)")
_NUMBERED_REFERENCE = re.compile(r"(?<=\S)\s\((\d{1,3})\)(?=[\s,.;:’]|$)")
_REFERENCE_WORDS = ("point", "points", "paragraph", "paragraphs", "subparagraph")


def is_regulation_markdown(text: str) -> bool:
    """Whether `text` is Markdown with '# Article N' style headings (any heading level)."""
    return bool(_ARTICLE_HEADING_ANYWHERE.search(text))


def parse_regulation_markdown(text: str, source_id: str) -> list[Section]:
    """Sections (recitals, articles, annexes, and their parts) in document order."""
    units = _Reader().read(_drop_footnote_references(text).splitlines())
    if not units:
        raise ParseError(f"{source_id}: no '# Article N' or '# ANNEX' headings found")
    return units_to_sections(source_id, units, lossy=True)


def _strip_markup(line: str) -> str:
    return normalise_space(strip_emphasis(line))


def _drop_footnote_references(text: str) -> str:
    """Drop "(*)" and numbered footnote references ("... of the Council (58), the ...").

    Footnotes are numbered in order through the document, so only the next expected number is taken
    for a reference, and never after words like "point" that introduce a point number.
    """
    text = "\n".join(drop_inline_footnotes(line, _STAR_FOOTNOTE) for line in text.splitlines())
    expected = 1
    pieces: list[str] = []
    position = 0
    for match in _NUMBERED_REFERENCE.finditer(text):
        if int(match.group(1)) != expected:
            continue
        previous_word = text[: match.start()].rsplit(None, 1)[-1].lower()
        if previous_word in _REFERENCE_WORDS:
            continue
        pieces.append(text[position : match.start()])
        position = match.end()
        expected += 1
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass
class _Draft:
    """A unit being read."""

    kind: UnitKind
    number: str
    parents: tuple[str, ...] = ()
    title: str = ""
    blocks: list[Block] = field(default_factory=list)

    def unit(self) -> Unit:
        return Unit(self.kind, self.number, self.title, self.parents, tuple(self.blocks))


@dataclass
class _Reader:
    """Walks the lines, collecting units; one instance per document."""

    units: list[Unit] = field(default_factory=list)
    divisions: dict[str, str] = field(default_factory=dict)  # "CHAPTER"/"SECTION" -> heading
    pending_division: str | None = None  # a division label waiting for its title heading
    current: _Draft | None = None
    awaiting_title: bool = False
    ended: bool = False  # after the closing formulas: only annexes are read

    def read(self, lines: list[str]) -> list[Unit]:
        for line in lines:
            stripped = line.strip()
            if stripped:
                self._line(stripped)
        self._finish()
        return self.units

    def _line(self, line: str) -> None:
        heading = _HEADING.match(line)
        text = _strip_markup(heading.group(2) if heading else line)
        if heading and self._heading(text):
            return
        if self.ended:
            return
        if self.awaiting_title:
            self.awaiting_title = False
            # The title is a heading or a bold line right after the unit's heading.
            if self.current is not None and (heading or _BOLD_LINE.match(line)):
                self.current.title = text
                return
        if self.current is None or self.current.kind is UnitKind.RECITAL:
            self._maybe_recital(text)
            return
        if _END_OF_ENACTING_TERMS.match(text) and self.current.kind is UnitKind.ARTICLE:
            self._finish()
            self.ended = True
            return
        self.current.blocks.append(Block(text, heading=bool(heading)))

    def _heading(self, text: str) -> bool:
        """Handle a structural heading; False for other headings (they are text of the unit)."""
        if self.pending_division is not None:
            label, self.pending_division = self.pending_division, None
            self.divisions[label.split()[0].upper()] = chapter_heading(label, text)
            return True
        in_annex = self.current is not None and self.current.kind is UnitKind.ANNEX
        if (article := _ARTICLE.match(text)) and not in_annex:
            self._start(UnitKind.ARTICLE, article.group(1))
            return True
        if annex := _ANNEX.match(text):
            self._start(UnitKind.ANNEX, annex.group(1).upper())
            self.ended = False
            return True
        if (division := _DIVISION.match(text)) and not in_annex:
            self._finish()
            if division.group(1).upper() == "CHAPTER":
                self.divisions.pop("SECTION", None)
            self.pending_division = text
            return True
        return False

    def _start(self, kind: UnitKind, number: str) -> None:
        self._finish()
        parents = tuple(self.divisions[key] for key in ("CHAPTER", "SECTION") if key in self.divisions)
        if kind is UnitKind.ANNEX:
            parents = ()
        self.current = _Draft(kind, number, parents)
        self.awaiting_title = True

    def _maybe_recital(self, text: str) -> None:
        match = _RECITAL.match(text)
        expected = int(self.current.number) + 1 if self.current is not None else 1
        if match and int(match.group(1)) == expected:
            self._finish()
            self.current = _Draft(UnitKind.RECITAL, match.group(1), blocks=[Block(match.group(2))])

    def _finish(self) -> None:
        if self.current is not None:
            self.units.append(self.current.unit())
        self.current = None
