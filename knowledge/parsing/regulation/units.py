"""From the units every format yields (articles, annexes, recitals) to citable `Section`s.

Format modules only find the units, their titles and their text blocks; this module nests them with the
shared splitter and names every resulting section (id, locator, parents, level) the same way for all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from knowledge.parsing.regulation.structure import Block, Kind, Node, build_tree
from knowledge.parsing.regulation.text import normalise_space
from knowledge.sections import Section, SectionLevel


class UnitKind(StrEnum):
    """The top-level units of an EU legal act."""

    ARTICLE = "article"
    ANNEX = "annex"
    RECITAL = "recital"
    STATUTE_SECTION = "statute_section"  # a US code section such as C.R.S. 6-1-1701: id "6-1-1701"


@dataclass(frozen=True)
class Unit:
    """One article, annex or recital as found in a source, before splitting."""

    kind: UnitKind
    number: str  # "5", "III", "53", "6-1-1701"
    title: str = ""
    parents: tuple[str, ...] = ()  # chapter and section headings, outermost first
    blocks: tuple[Block, ...] = field(default_factory=tuple)


_ACRONYM_STOPWORDS = frozenset("A AN AS AT BE BY IN IS OF ON OR TO".split())


def heading_case(text: str) -> str:
    """Sentence-case an all-capitals heading ("PROHIBITED AI PRACTICES" -> "Prohibited AI practices").

    Two-letter words that are not English function words ("AI", "EU") are kept as acronyms.
    """
    text = normalise_space(text)
    if not text or text != text.upper():
        return text
    words = []
    for index, word in enumerate(text.split(" ")):
        letters = re.sub(r"[^A-Za-z]", "", word)
        if 0 < len(letters) <= 2 and letters not in _ACRONYM_STOPWORDS and index > 0:
            words.append(word)
        else:
            words.append(word.lower())
    joined = " ".join(words)
    return joined[:1].upper() + joined[1:]


def chapter_heading(label: str, title: str) -> str:
    """'CHAPTER II' + 'PROHIBITED AI PRACTICES' -> 'Chapter II Prohibited AI practices'."""
    label = normalise_space(label)
    parts = label.split(" ", 1)
    if len(parts) == 2 and parts[0].isupper():
        label = f"{parts[0].capitalize()} {parts[1]}"
    return normalise_space(f"{label} {heading_case(title)}")


def units_to_sections(source_id: str, units: list[Unit], *, lossy: bool = False) -> list[Section]:
    """Split every unit and name its parts; sections come out in the order of `units`, depth first."""
    sections: list[Section] = []
    seen: set[str] = set()
    for unit in units:
        for section in _unit_sections(source_id, unit, lossy=lossy):
            # A repeated id would make citations ambiguous; its text is already in the parent's.
            if section.citation_id not in seen:
                seen.add(section.citation_id)
                sections.append(section)
    return sections


def _unit_sections(source_id: str, unit: Unit, *, lossy: bool) -> list[Section]:
    if unit.kind is UnitKind.RECITAL:
        text = normalise_space(" ".join(block.text for block in unit.blocks))
        locator = f"Recital {unit.number}"
        return [
            Section(
                citation_id=f"{source_id}:recital-{unit.number}",
                locator=locator,
                title=unit.title or locator,
                parents=list(unit.parents),
                level=SectionLevel.RECITAL,
                text=text,
            )
        ]
    annex = unit.kind is UnitKind.ANNEX
    root = build_tree(list(unit.blocks), annex=annex, lossy=lossy)
    if annex:
        slug, locator, level = f"annex-{unit.number.lower()}", f"Annex {unit.number}", SectionLevel.ANNEX
    elif unit.kind is UnitKind.STATUTE_SECTION:
        slug, locator, level = unit.number.lower(), f"§ {unit.number}", SectionLevel.ARTICLE
    else:
        slug, locator, level = f"art-{unit.number}", f"Article {unit.number}", SectionLevel.ARTICLE
    head = Section(
        citation_id=f"{source_id}:{slug}",
        locator=locator,
        title=unit.title,
        parents=list(unit.parents),
        level=level,
        # A unit whose body a source lost (Annex VI in the cartho Markdown) is still citable by its title.
        text=root.full_text() or unit.title or locator,
    )
    namer = _Namer(unit, head, transparent_sections=annex and not _sections_restart_numbering(root))
    return [head, *namer.children(root, head, [*unit.parents, f"{locator} {unit.title}".strip()])]


def _sections_restart_numbering(root: Node) -> bool:
    """Whether an annex's sections each number their points from 1 (so the section belongs in the id).

    Annex I's "Section A" and "Section B" continue one numbering (1-20); Annex VIII's restart at 1.
    """
    numbers: Counter[object] = Counter()
    for section in root.children:
        if section.mark is not None and section.mark.kind is Kind.SECTION:
            numbers.update(c.mark.value for c in section.children if c.mark and c.mark.kind is Kind.NUMBER)
    return any(count > 1 for count in numbers.values())


_LEVELS = {
    Kind.SECTION: SectionLevel.ANNEX_SECTION,
    Kind.DECIMAL: SectionLevel.ANNEX_SECTION,
    Kind.LETTER: SectionLevel.POINT,
    Kind.ROMAN: SectionLevel.SUBPOINT,
}


@dataclass
class _Namer:
    unit: Unit
    head: Section
    transparent_sections: bool

    def children(self, node: Node, parent: Section, ancestors: list[str]) -> list[Section]:
        """Sections for `node`'s children and their descendants, depth first.

        `parent` is the section the children hang off; `ancestors` are the children's `parents`.
        """
        out: list[Section] = []
        for child in node.children:
            assert child.mark is not None
            if child.mark.kind is Kind.SECTION and self.transparent_sections:
                # A heading only: its points hang off the annex, and the heading is one of their parents.
                heading = f"{self.head.locator}, Section {child.mark.label}"
                out.extend(self.children(child, parent, [*ancestors, heading]))
                continue
            section = self._section(node, child, parent, ancestors)
            out.append(section)
            out.extend(self.children(child, section, [*ancestors, section.locator]))
        return out

    def _section(self, node: Node, child: Node, parent: Section, ancestors: list[str]) -> Section:
        assert child.mark is not None
        kind = child.mark.kind
        slug = child.mark.label.split(".")[-1].lower()
        if kind is Kind.SECTION:
            slug = f"section-{slug}"
        if kind is Kind.NUMBER:
            level = SectionLevel.ANNEX_SECTION if self.unit.kind is UnitKind.ANNEX else SectionLevel.PARAGRAPH
        else:
            level = _LEVELS[kind]
        return Section(
            citation_id=f"{parent.citation_id}-{slug}",
            locator=self._locator(node, child, parent),
            title=self.head.title,
            parents=ancestors,
            parent_id=parent.citation_id,
            level=level,
            text=child.full_text(),
        )

    def _locator(self, node: Node, child: Node, parent: Section) -> str:
        assert child.mark is not None
        label, kind = child.mark.label, child.mark.kind
        if self.unit.kind is not UnitKind.ANNEX:
            return f"{parent.locator}({label})"
        if kind is Kind.SECTION:
            return f"{parent.locator}, Section {label}"
        if kind is Kind.DECIMAL:
            return f"{parent.locator.rsplit(', point ', 1)[0]}, point {label}"
        if kind is Kind.NUMBER:
            return f"{parent.locator}, point {label}"
        if node.mark is None or node.mark.kind is Kind.SECTION:
            return f"{parent.locator}, point ({label})"
        return f"{parent.locator}({label})"
