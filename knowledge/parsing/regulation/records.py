"""Regulations published as JSON records: recognise the record shape, then build sections.

Shapes known (see the corpus SOURCES.md): the CSA lists of articles, recitals and annexes with flat
`content`; the kenobijr dictionaries (`article_001`: ...); the nested GDPRtEXT export; the NIST AI RMF
subcategories and Playbook; the NIST AI 600-1 suggested actions; the Colorado AI Act sections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from knowledge.parsing.regulation.colorado import parse_colorado_sections
from knowledge.parsing.regulation.nist import NIST_PARSERS
from knowledge.parsing.regulation.regimes import detect_regime
from knowledge.parsing.regulation.structure import Block
from knowledge.parsing.regulation.text import drop_inline_footnotes, normalise_space, tidy
from knowledge.parsing.regulation.units import Unit, UnitKind, chapter_heading, units_to_sections
from knowledge.sections import ParseError, Section

# CSA's flat text spaces out footnote references "( 58 )", "( *7 )" and OJ links "( OJ L 157 ... )".
_CSA_FOOTNOTE_REF = re.compile(r"\s*\(\s+\*?\d+\s+\)")
_SPACED_PAREN = re.compile(r"\(\s+|\s+\)")


def clean_flat_text(text: str) -> str:
    """Normalise one flat JSON text: drop footnote references, tidy spaced parentheses and spaces."""
    text = drop_inline_footnotes(text, _CSA_FOOTNOTE_REF)
    text = _SPACED_PAREN.sub(lambda m: "(" if "(" in m.group() else ")", text)
    return tidy(text)


_ANNEX_LEAD = re.compile(r"^ANNEX\s+([IVXLC]+)\s+")
# Where the body starts after a title: a "Section A" heading or a first point "1." / "(a)".
_BODY_START = re.compile(r"\s(?:Section\s+(?:[A-Z]|\d{1,2})\b|1\.\s)|(?<=[.:;])\s\(a\)\s")
# The CSA annex records have an empty `annex_name`; the title runs into the first sentence of the body.
# That sentence starts with a capital after a reference ("Article 6(2) High-risk ...") or with "The"/"For".
_SENTENCE_AFTER_TITLE = re.compile(r"(?<=[\d)])\s+(?=[A-Z])|\s+(?=(?:The|For)\s)")


def split_annex_title(text: str) -> tuple[str, str]:
    """Split "<annex title> <body>" at the most likely end of the title."""
    limit = _BODY_START.search(text)
    end = limit.start() if limit else len(text)
    sentence = _SENTENCE_AFTER_TITLE.search(text, 0, end)
    if sentence is not None:
        end = sentence.start()
    return text[:end].strip(), text[end:].strip()


# --- EU acts --------------------------------------------------------------------------------------


def _csa_article(record: dict[str, Any]) -> Unit:
    parents: tuple[str, ...] = ()
    if record.get("chapter"):
        parents = (chapter_heading(f"CHAPTER {record['chapter']}", str(record.get("chapter_name") or "")),)
    return Unit(
        UnitKind.ARTICLE,
        str(record["article"]),
        normalise_space(str(record.get("article_name") or "")),
        parents,
        (Block(clean_flat_text(str(record["content"])), scan=True),),
    )


def _csa_annex(record: dict[str, Any]) -> Unit:
    content = clean_flat_text(str(record["content"]))
    content = _ANNEX_LEAD.sub("", content)
    title = normalise_space(str(record.get("annex_name") or ""))
    if not title:
        title, content = split_annex_title(content)
    return Unit(UnitKind.ANNEX, str(record["annex"]), title, (), (Block(content, scan=True),))


def _recital(number: object, text: str) -> Unit:
    return Unit(UnitKind.RECITAL, str(int(str(number))), blocks=(Block(clean_flat_text(text)),))


def _csa_units(data: object) -> list[Unit] | None:
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    keys = set(data[0])
    if {"article", "content"} <= keys:
        return [_csa_article(record) for record in data]
    if {"annex", "content"} <= keys:
        return [_csa_annex(record) for record in data]
    if {"recital", "content"} <= keys:
        return [_recital(record["recital"], str(record["content"])) for record in data]
    return None


_KENOBIJR_KEY = re.compile(r"^(article|recital|annex|definition)_(\d+)$")
_KENOBIJR_TITLE = re.compile(r"^(?:Article|Annex)\s+[\dIVXLC]+\s*:\s*")
_ROMAN_NUMERALS = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split()


def _kenobijr_units(data: object) -> list[Unit] | None:
    if not isinstance(data, dict) or not data:
        return None
    matches = [_KENOBIJR_KEY.match(str(key)) for key in data]
    if not all(matches) or not all(isinstance(value, dict) for value in data.values()):
        return None
    units: list[Unit] = []
    definitions: list[Block] = []
    for match, record in zip(matches, data.values(), strict=True):
        assert match is not None
        kind, number = match.group(1), int(match.group(2))
        text = str(record.get("text_content") or "")
        title = _KENOBIJR_TITLE.sub("", normalise_space(str(record.get("title") or "")))
        if kind == "recital":
            units.append(_recital(number, text))
        elif kind == "definition":
            # This copy keeps Article 3's definitions in a file of their own, without their numbers.
            definitions.append(Block(f"({number}) {clean_flat_text(text)}", scan=True))
        elif kind == "annex":
            roman = _ROMAN_NUMERALS[number - 1]
            units.append(Unit(UnitKind.ANNEX, roman, title, (), (Block(clean_flat_text(text), scan=True),)))
        else:
            chapter = normalise_space(str(record.get("chapter_title") or ""))
            section = normalise_space(str(record.get("section_title") or ""))
            parents = tuple(part for part in (chapter.replace(":", ""), section.replace(":", "")) if part)
            block = Block(clean_flat_text(text), scan=True)
            units.append(Unit(UnitKind.ARTICLE, str(number), title, parents, (block,)))
    if definitions:
        units.append(Unit(UnitKind.ARTICLE, "3", "Definitions", (), tuple(definitions)))
    return units


def _gdprtext_units(data: object) -> list[Unit] | None:
    """The GDPRtEXT export: chapters > (sections >) articles > points > subpoints, plus recitals."""
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
        return None
    units: list[Unit] = []
    for recital in data.get("recitals") or []:
        units.append(_recital(recital["number"], str(recital.get("text") or "")))
    for chapter in data["chapters"]:
        chapter_title = chapter_heading(f"Chapter {chapter.get('number')}", str(chapter.get("title") or ""))
        for item in chapter.get("contents") or []:
            if item.get("type") == "section":
                section_title = chapter_heading(f"Section {item.get('number')}", str(item.get("title") or ""))
                for article in item.get("contents") or []:
                    units.append(_gdprtext_article(article, (chapter_title, section_title)))
            else:
                units.append(_gdprtext_article(item, (chapter_title,)))
    return units


def _gdprtext_article(article: dict[str, Any], parents: tuple[str, ...]) -> Unit:
    blocks: list[Block] = []
    for point in article.get("contents") or []:
        number = point.get("number")
        prefix = f"{number}. " if number and point.get("type") == "point" else ""
        blocks.append(Block(prefix + normalise_space(str(point.get("text") or ""))))
        for subpoint in point.get("subpoints") or []:
            letter = subpoint.get("number")
            blocks.append(Block((f"({letter}) " if letter else "") + normalise_space(str(subpoint["text"]))))
    return Unit(
        UnitKind.ARTICLE,
        str(article["number"]),
        normalise_space(str(article.get("title") or "")),
        parents,
        tuple(blocks),
    )


_EU_SHAPES: tuple[Callable[[object], list[Unit] | None], ...] = (_csa_units, _kenobijr_units, _gdprtext_units)


def _unit_text(units: Iterable[Unit]) -> str:
    return " ".join(block.text for unit in units for block in unit.blocks)


def parse_regulation_records(data: object, source_id: str | None) -> list[Section] | None:
    """Sections from loaded JSON records of a regulation or framework, or None if the shape is unknown.

    `source_id` is the citation prefix; when None it is recognised from the content (see
    `detect_regime`). EU-style records (articles with `content`) whose act cannot be recognised and that
    come without a source id are not taken as a regulation either: the result is then None. Records of a
    known shape with a missing or mistyped field raise `ParseError`.
    """
    try:
        for recognise in _EU_SHAPES:
            units = recognise(data)
            if units is not None:
                regime = source_id or _regime_from_shape(data) or detect_regime(_unit_text(units))
                return units_to_sections(regime, units) if regime else None
        for parse in (*NIST_PARSERS, parse_colorado_sections):
            sections = parse(data, source_id)
            if sections is not None:
                return sections
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ParseError(f"regulation records of a known shape with a malformed record: {error!r}") from error
    return None


def _regime_from_shape(data: object) -> str | None:
    # GDPRtEXT names its regulation in its header fields.
    if isinstance(data, dict) and "2016/679" in str(data.get("regulation", "")) + str(data.get("about", "")):
        return "gdpr"
    return None
