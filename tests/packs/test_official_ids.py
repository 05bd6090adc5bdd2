"""The EU AI Act pack cites provisions by the ids the official-text parser gives them.

Answers show the official wording next to our summary by looking the pack's id up in the parsed
Regulation, so every `eu-ai-act:` id the pack uses (record ids, related ids, followed dates, routes,
amendment change targets, ids in any other field) must exist in the parse of the official HTML. Skipped
where ../shared/corpus is absent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from knowledge.packs import Pack, load_packs
from knowledge.parsing import parse_file
from knowledge.sections import ParsedDocument

EU = "eu-ai-act:"
OFFICIAL_HTML = Path("eu-ai-act") / "csa" / "eu-ai-act.html"
# Any citation id of this regime, also when it sits inside prose.
_EU_ID = re.compile(r"(?<![a-z0-9-])eu-ai-act:[a-z0-9]+(?:-[a-z0-9]+)*")

# Pack ids with no counterpart in the official text. Keep this short: anything else is a mismatch.
PACK_ONLY = {
    # Inserted by the Digital Omnibus on AI (2026); the corpus holds the 2024 text only.
    EU + "art-5-1-ba",
    EU + "art-5-1-bb",
    EU + "art-4a",
    # The section `Pack.to_document` adds for the amendment itself: ours, not a provision.
    EU + "amendment-digital-omnibus-ai-2026",
}
# Commission guidance, codes of practice and standards (commission-guidance.yaml) are not provisions of the
# Regulation: their ids carry this prefix, which the parser never gives an Article, Annex or recital.
GUIDANCE = EU + "guidance-"


def _pack_only(cid: str) -> bool:
    return cid in PACK_ONLY or cid.startswith(GUIDANCE)


@cache
def _pack() -> Pack:
    return next(pack for pack in load_packs() if pack.regime_id == "eu-ai-act")


@cache
def _official(path: Path) -> ParsedDocument:
    return parse_file(path)


@pytest.fixture
def official(corpus_dir: Path) -> ParsedDocument:
    """The parsed official Regulation (the parser is the source of truth for ids)."""
    return _official(corpus_dir / OFFICIAL_HTML)


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a dumped model, with the path that leads to it."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _pack_ids(pack: Pack) -> dict[str, set[str]]:
    """Every eu-ai-act id the pack uses, with where it is used (`<record or amendment>.<field path>`)."""
    found: dict[str, set[str]] = defaultdict(set)
    sources = [(record.citation_id, record.model_dump(mode="json")) for record in pack.records]
    sources += [(f"amendments[{a.id}]", a.model_dump(mode="json")) for a in pack.amendments]
    for owner, dumped in sources:
        for where, text in _strings(dumped, owner):
            for match in _EU_ID.finditer(text):
                found[match.group(0)].add(where)
    for section in pack.to_document().sections:
        found[section.citation_id].add(f"{section.citation_id} (document section)")
    return found


def _field(where: str) -> str:
    """The field part of a place: `eu-ai-act:art-6-2.related[2]` -> `related` (owners hold no dots)."""
    return re.sub(r"\[\d+\]", "", where.partition(".")[2])


def test_the_scan_sees_every_kind_of_reference() -> None:
    # Guard against a scan that silently finds nothing: each kind of reference is present in the pack.
    fields = {_field(place) for places in _pack_ids(_pack()).values() for place in places}
    assert {
        "citation_id",
        "related",
        "date_follows",
        "also_applies_via.route",
        "changes.citation_id",
        "new_records.citation_id",
    } <= fields


def test_every_pack_id_is_an_official_id(official: ParsedDocument) -> None:
    official_ids = {section.citation_id for section in official.sections}
    assert len(official_ids) > 1000 and EU + "art-113-a" in official_ids
    unknown = {
        cid: sorted(places)
        for cid, places in _pack_ids(_pack()).items()
        if cid not in official_ids and not _pack_only(cid)
    }
    assert unknown == {}


def test_pack_only_ids_are_used_and_truly_absent(official: ParsedDocument) -> None:
    # A stale allow-list entry would hide a future mismatch.
    official_ids = {section.citation_id for section in official.sections}
    used = set(_pack_ids(_pack()))
    assert sorted(PACK_ONLY - used) == []
    assert sorted(PACK_ONLY & official_ids) == []
    assert sorted(cid for cid in official_ids if cid.startswith(GUIDANCE)) == []
    assert any(cid.startswith(GUIDANCE) for cid in used)


def test_a_shared_id_names_the_same_provision(official: ParsedDocument) -> None:
    # Same id, same locator: an id reused for another provision (a second list of points, an
    # unnumbered subparagraph) would show the wrong official wording next to our summary.
    locators = {section.citation_id: section.locator for section in official.sections}
    records = [r for r in _pack().records if not _pack_only(r.citation_id)]
    assert len(records) > 200
    differing = [
        (r.citation_id, r.locator, locators.get(r.citation_id))
        for r in records
        if r.locator != locators.get(r.citation_id)
    ]
    assert differing == []
