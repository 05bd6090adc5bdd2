"""The ISO/IEC 42001 pack: clauses 4 to 10 and Annex A control objectives A.2 to A.10, by number and
title, with our own short summaries only (the standard is copyrighted and not in the corpus)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from knowledge.packs import DEFAULT_ROOT, Pack, Role, load_pack, load_packs
from knowledge.sections import SectionLevel

ISO = "iso-42001:"

CLAUSES = {
    4: "Context of the organization",
    5: "Leadership",
    6: "Planning",
    7: "Support",
    8: "Operation",
    9: "Performance evaluation",
    10: "Improvement",
}
SUB_CLAUSES = {
    "4.1": "Understanding the organization and its context",
    "4.2": "Understanding the needs and expectations of interested parties",
    "4.3": "Determining the scope of the AI management system",
    "4.4": "AI management system",
    "5.1": "Leadership and commitment",
    "5.2": "AI policy",
    "5.3": "Roles, responsibilities and authorities",
    "6.1": "Actions to address risks and opportunities",
    "6.1.1": "General",
    "6.1.2": "AI risk assessment",
    "6.1.3": "AI risk treatment",
    "6.1.4": "AI system impact assessment",
    "6.2": "AI objectives and planning to achieve them",
    "6.3": "Planning of changes",
    "7.1": "Resources",
    "7.2": "Competence",
    "7.3": "Awareness",
    "7.4": "Communication",
    "7.5": "Documented information",
    "8.1": "Operational planning and control",
    "8.2": "AI risk assessment",
    "8.3": "AI risk treatment",
    "8.4": "AI system impact assessment",
    "9.1": "Monitoring, measurement, analysis and evaluation",
    "9.2": "Internal audit",
    "9.3": "Management review",
    "10.1": "Continual improvement",
    "10.2": "Nonconformity and corrective action",
}
ANNEX_A = {
    2: "Policies related to AI",
    3: "Internal organization",
    4: "Resources for AI systems",
    5: "Assessing impacts of AI systems",
    6: "AI system life cycle",
    7: "Data for AI systems",
    8: "Information for interested parties of AI systems",
    9: "Use of AI systems",
    10: "Third-party and customer relationships",
}


@cache
def _pack() -> Pack:
    return load_pack(DEFAULT_ROOT / "iso-42001")


@pytest.fixture
def pack() -> Pack:
    return _pack()


def _clause_id(number: str) -> str:
    return f"{ISO}clause-{number.replace('.', '-')}"


def test_manifest(pack: Pack) -> None:
    assert (pack.regime_id, pack.version, pack.as_of.isoformat()) == ("iso-42001", "1.0.0", "2026-12-07")
    assert "ISO/IEC 42001:2023" in pack.source_reference
    assert "December 2023" in pack.as_of_note and "December 2023" in pack.record(ISO + "overview").summary
    assert all(r.applies_from is None for r in pack.records)


@pytest.mark.parametrize(("number", "title"), sorted(CLAUSES.items()))
def test_clauses_4_to_10(pack: Pack, number: int, title: str) -> None:
    record = pack.record(f"{ISO}clause-{number}")
    assert (record.locator, record.title, record.level) == (f"Clause {number}", title, SectionLevel.CHAPTER)


def test_no_clause_outside_4_to_10(pack: Pack) -> None:
    numbers = {
        int(m.group(1)) for r in pack.records if (m := re.match(r"iso-42001:clause-(\d+)", r.citation_id))
    }
    assert numbers == set(range(4, 11))


@pytest.mark.parametrize(("number", "title"), sorted(SUB_CLAUSES.items()))
def test_main_sub_clauses(pack: Pack, number: str, title: str) -> None:
    record = pack.record(_clause_id(number))
    assert (record.locator, record.title) == (f"Clause {number}", title)
    assert record.obligations, "each requirement clause says what conformity needs"


def test_sub_clauses_are_exactly_the_table_and_numbered_without_gaps(pack: Pack) -> None:
    stated = {
        r.citation_id for r in pack.records if re.fullmatch(r"iso-42001:clause-\d+(-\d+)+", r.citation_id)
    }
    assert stated == {_clause_id(number) for number in SUB_CLAUSES}
    for clause in CLAUSES:
        children = [r.locator.removeprefix("Clause ") for r in pack.children(f"{ISO}clause-{clause}")]
        assert children == [f"{clause}.{n}" for n in range(1, len(children) + 1)], clause


@pytest.mark.parametrize(("number", "title"), sorted(ANNEX_A.items()))
def test_annex_a_control_objectives(pack: Pack, number: int, title: str) -> None:
    record = pack.record(f"{ISO}annex-a-{number}")
    assert (record.locator, record.title, record.level) == (
        f"Annex A.{number}",
        title,
        SectionLevel.ANNEX_SECTION,
    )
    # One line of our own: a single sentence, short.
    assert len(re.findall(r"[.!?](?:\s|$)", record.summary)) == 1
    assert len(record.summary.split()) <= 35


def test_annex_a_holds_objectives_only(pack: Pack) -> None:
    under = {r.citation_id for r in pack.records if r.citation_id.startswith(ISO + "annex-a-")}
    assert under == {f"{ISO}annex-a-{n}" for n in ANNEX_A}  # A.2 to A.10; no individual controls
    assert {r.citation_id for r in pack.children(ISO + "annex-a")} == under
    assert "statement of applicability" in pack.record(ISO + "annex-a").summary


def test_obligations_belong_to_the_organisation(pack: Pack) -> None:
    owners = {o.owner for r in pack.records for o in r.obligations}
    assert owners == {Role.ORGANISATION}


def test_core_ai_processes_link_planning_to_operation(pack: Pack) -> None:
    for planning, operation in (("6.1.2", "8.2"), ("6.1.3", "8.3"), ("6.1.4", "8.4")):
        assert _clause_id(operation) in pack.record(_clause_id(planning)).related
        assert _clause_id(planning) in pack.record(_clause_id(operation)).related
    assert ISO + "annex-a" in pack.record(_clause_id("6.1.3")).related


def test_summaries_stay_short_and_quote_nothing(pack: Pack) -> None:
    # Copyright guard: our summaries are brief paraphrases; no quoted wording and no "shall" language.
    for record in pack.records:
        texts = [record.title, record.summary, *(o.text for o in record.obligations)]
        assert not any(mark in text for text in texts for mark in ('"', "“", "”", "‘", "’")), (
            record.citation_id
        )
        assert not any(re.search(r"\bshall\b", text, re.IGNORECASE) for text in texts), record.citation_id
        limit = 120 if record.citation_id == ISO + "overview" else 60
        assert len(record.summary.split()) <= limit, record.citation_id


def test_references_to_other_packs_resolve(pack: Pack) -> None:
    foreign = {cid for r in pack.records for cid in r.related if not cid.startswith(ISO)}
    assert foreign
    unknown = [cid for cid in foreign if not load_pack(DEFAULT_ROOT / cid.partition(":")[0]).has_record(cid)]
    assert sorted(unknown) == []


def test_all_packs_load_together_with_unique_ids() -> None:
    packs = load_packs()
    regimes = {p.regime_id for p in packs}
    assert {"eu-ai-act", "gdpr", "nist-ai-rmf", "nist-ai-600-1", "iso-42001"} <= regimes
    ids = [r.citation_id for p in packs for r in p.records]
    assert len(ids) == len(set(ids))
    assert all(r.citation_id.startswith(f"{p.regime_id}:") for p in packs for r in p.records)


@pytest.mark.parametrize("regime_id", ["gdpr", "nist-ai-rmf", "nist-ai-600-1", "iso-42001"])
def test_each_pack_becomes_one_section_per_record(regime_id: str) -> None:
    pack = load_pack(DEFAULT_ROOT / regime_id)
    document = pack.to_document()
    assert document.source_id == regime_id
    assert [s.citation_id for s in document.sections] == [r.citation_id for r in pack.records]
    assert all(s.text.startswith(f"{s.locator}: {s.title}") for s in document.sections)
