"""The pack format: validation errors name file and field, cross-record checks, amendment semantics."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.packs import (
    DEFAULT_ROOT,
    AmendmentStatus,
    PackError,
    PackRecord,
    Provenance,
    Role,
    asks_about_history,
    load_pack,
    load_packs,
    packs_fingerprint,
    read_provenance,
)
from knowledge.sections import DocumentKind, SectionLevel

REGIME = "demo-act"


def _record(locator: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid record for the fixture regime; `locator` is the slug after the colon."""
    base: dict[str, Any] = {
        "citation_id": f"{REGIME}:{locator}",
        "locator": f"Article {locator}",
        "title": f"Title of {locator}",
        "summary": f"Our summary of {locator}.",
    }
    base.update(extra)
    return base


def _base_records() -> list[dict[str, Any]]:
    return [
        _record("art-1", applies_from="2025-01-01"),
        _record("art-1-1", obligations=[{"id": "do-it", "owner": "provider", "text": "Do the thing."}]),
        _record("art-2", applies_from="2026-01-01"),
        _record("art-2-1"),
        _record("art-20", applies_from="2026-06-01"),
        _record(
            "art-3",
            applies_from="2026-01-01",
            date_follows=f"{REGIME}:art-2",
            also_applies_via=[{"label": "the product route", "route": f"{REGIME}:art-20"}],
        ),
        _record("art-3-1"),
    ]


def _amendment(status: str = "adopted", status_date: str = "2026-03-01", **extra: Any) -> dict[str, Any]:
    amendment: dict[str, Any] = {
        "id": "fix-2026",
        "title": "Fixing act",
        "source": "Fixing Act, 2026",
        "status": status,
        "status_date": status_date,
        "summary": "Moves a date and adds a rule.",
        "changes": [
            {
                "citation_id": f"{REGIME}:art-2",
                "field": "applies_from",
                "new_value": "2027-01-01",
                "note": "Postponed by a year.",
            },
        ],
        "new_records": [_record("art-1-2", applies_from="2026-12-01")],
    }
    amendment.update(extra)
    return amendment


def write_pack(
    root: Path,
    *,
    records: list[dict[str, Any]] | None = None,
    amendments: list[dict[str, Any]] | None = None,
    manifest: dict[str, Any] | None = None,
    extra_files: dict[str, Any] | None = None,
) -> Path:
    """Write a fixture pack under `root/<regime>/` and return the pack directory."""
    directory = root / REGIME
    directory.mkdir(parents=True, exist_ok=True)
    head = {
        "id": REGIME,
        "title": "Demo Act",
        "version": "0.1.0",
        "as_of": "2026-11-20",
        "as_of_note": "Fixture knowledge.",
        "source_reference": "Demo Act 2024",
        "record_source_prefix": "Demo Act",
    }
    head.update(manifest or {})
    (directory / "pack.yaml").write_text(yaml.safe_dump(head))
    (directory / "records.yaml").write_text(
        yaml.safe_dump({"records": records if records is not None else _base_records()})
    )
    if amendments is not None:
        (directory / "amendments.yaml").write_text(yaml.safe_dump({"amendments": amendments}))
    for name, content in (extra_files or {}).items():
        path = directory / name
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    return directory


# --- loading the shipped packs -------------------------------------------------------------------


def test_builtin_packs_load_with_version_and_as_of() -> None:
    packs = load_packs()
    by_id = {pack.regime_id: pack for pack in packs}
    assert "eu-ai-act" in by_id
    pack = by_id["eu-ai-act"]
    assert pack.version
    assert pack.as_of == date(2026, 12, 7)
    assert "2024/1689" in pack.source_reference
    assert all(record.citation_id.startswith("eu-ai-act:") for record in pack.records)


def test_every_builtin_record_is_complete() -> None:
    for pack in load_packs():
        for record in pack.records:
            assert record.summary.strip(), record.citation_id
            assert record.source_reference.strip(), record.citation_id
            for obligation in record.obligations:
                assert isinstance(obligation.owner, Role)


def test_fixture_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path))
    assert pack.regime_id == REGIME
    assert pack.record(f"{REGIME}:art-1-1").obligations[0].owner is Role.PROVIDER
    assert pack.record(f"{REGIME}:art-1").source_reference == "Demo Act, Article art-1"


# --- errors name the file and the field ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"obligations": [{"id": "x", "owner": "ceo", "text": "t"}]}, "obligations[0].owner"),
        ({"applies_from": "2026-13-40"}, "applies_from"),
        ({"applies_form": "2026-01-01"}, "applies_form"),
        ({"summary": ""}, "summary"),
        ({"citation_id": "Demo Act:Art 1"}, "citation_id"),
        ({"related": ["not an id"]}, "related"),
        ({"tags": ["Not A Slug"]}, "tags"),
        ({"penalty": {"max_amount_eur": -1, "applies_to": "x"}}, "penalty.max_amount_eur"),
        ({"time_limits": [{"id": "t", "value": 0, "unit": "days", "text": "x"}]}, "time_limits[0].value"),
    ],
)
def test_bad_record_error_names_file_and_field(tmp_path: Path, change: dict[str, Any], field: str) -> None:
    records = _base_records()
    records[2] = {**records[2], **change}
    directory = write_pack(tmp_path, records=records)
    with pytest.raises(PackError) as caught:
        load_pack(directory)
    message = str(caught.value)
    assert str(directory / "records.yaml") in message
    assert "records[2]" in message
    assert field in message


def test_missing_required_field_is_named(tmp_path: Path) -> None:
    records = _base_records()
    del records[0]["title"]
    expected = r"records\.yaml: records\[0\] \(demo-act:art-1\): title: Field required"
    with pytest.raises(PackError, match=expected):
        load_pack(write_pack(tmp_path, records=records))


def test_duplicate_obligation_ids_rejected(tmp_path: Path) -> None:
    records = _base_records()
    obligation = {"id": "same", "owner": "deployer", "text": "t"}
    records[0]["obligations"] = [obligation, obligation]
    with pytest.raises(PackError, match="duplicate ids"):
        load_pack(write_pack(tmp_path, records=records))


def test_bad_manifest_names_field(tmp_path: Path) -> None:
    directory = write_pack(tmp_path, manifest={"as_of": "someday"})
    with pytest.raises(PackError, match=r"pack\.yaml: as_of"):
        load_pack(directory)


def test_entry_into_force_date_comes_from_the_manifest(tmp_path: Path) -> None:
    assert load_pack(write_pack(tmp_path / "a")).entered_into_force is None
    pack = load_pack(write_pack(tmp_path / "b", manifest={"entered_into_force": "2024-08-01"}))
    assert pack.entered_into_force == date(2024, 8, 1)
    with pytest.raises(PackError, match=r"pack\.yaml: entered_into_force"):
        load_pack(write_pack(tmp_path / "c", manifest={"entered_into_force": "on publication"}))


def test_manifest_id_must_match_directory(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="must match the directory name"):
        load_pack(write_pack(tmp_path, manifest={"id": "other-act"}))


def test_yaml_syntax_error_names_file(tmp_path: Path) -> None:
    directory = write_pack(tmp_path, extra_files={"broken.yaml": "records: [\n  - {citation_id: x"})
    with pytest.raises(PackError, match=r"broken\.yaml: not valid YAML"):
        load_pack(directory)


def test_unknown_top_level_key_rejected(tmp_path: Path) -> None:
    directory = write_pack(tmp_path, extra_files={"extra.yaml": {"record": []}})
    with pytest.raises(PackError, match=r"extra\.yaml: unknown top-level keys \['record'\]"):
        load_pack(directory)


# --- cross-record checks -------------------------------------------------------------------------


def test_duplicate_citation_ids_across_files_name_both_files(tmp_path: Path) -> None:
    directory = write_pack(tmp_path, extra_files={"more.yaml": {"records": [_record("art-2")]}})
    with pytest.raises(PackError) as caught:
        load_pack(directory)
    message = str(caught.value)
    assert "duplicate 'demo-act:art-2'" in message
    assert "more.yaml" in message and "records.yaml" in message


def test_duplicate_citation_ids_within_a_file_rejected(tmp_path: Path) -> None:
    records = [*_base_records(), _record("art-1")]
    with pytest.raises(PackError, match="duplicate 'demo-act:art-1'"):
        load_pack(write_pack(tmp_path, records=records))


def test_new_record_duplicating_a_base_record_rejected(tmp_path: Path) -> None:
    amendment = _amendment(new_records=[_record("art-1")])
    with pytest.raises(PackError, match=r"amendments\.yaml.*duplicate 'demo-act:art-1'"):
        load_pack(write_pack(tmp_path, amendments=[amendment]))


def test_related_ids_in_the_same_regime_must_exist(tmp_path: Path) -> None:
    records = _base_records()
    records[1]["related"] = [f"{REGIME}:art-99"]
    with pytest.raises(PackError) as caught:
        load_pack(write_pack(tmp_path, records=records))
    assert "records.yaml: (demo-act:art-1-1) related: unknown record 'demo-act:art-99'" in str(caught.value)


def test_related_ids_of_other_regimes_need_only_be_well_formed(tmp_path: Path) -> None:
    records = _base_records()
    records[1]["related"] = ["gdpr:art-35", f"{REGIME}:art-2"]
    pack = load_pack(write_pack(tmp_path, records=records))
    assert pack.record(f"{REGIME}:art-1-1").related == ["gdpr:art-35", f"{REGIME}:art-2"]


def test_record_ids_must_belong_to_the_pack(tmp_path: Path) -> None:
    records = [*_base_records(), {**_record("art-9"), "citation_id": "other-act:art-9"}]
    with pytest.raises(PackError, match="must start with the pack id 'demo-act:'"):
        load_pack(write_pack(tmp_path, records=records))


def test_date_follows_must_exist_and_agree_with_its_base_date(tmp_path: Path) -> None:
    records = _base_records()
    records[5]["date_follows"] = f"{REGIME}:art-77"
    with pytest.raises(PackError, match="date_follows: unknown record 'demo-act:art-77'"):
        load_pack(write_pack(tmp_path / "a", records=records))
    records = _base_records()
    records[5]["applies_from"] = "2026-02-02"  # art-2, which it follows, says 2026-01-01
    with pytest.raises(PackError, match="differs from the base date 2026-01-01"):
        load_pack(write_pack(tmp_path / "b", records=records))


def test_date_follows_cycle_rejected(tmp_path: Path) -> None:
    records = _base_records()
    records[2] = {**records[2], "date_follows": f"{REGIME}:art-3"}
    with pytest.raises(PackError, match="cycle"):
        load_pack(write_pack(tmp_path, records=records))


def test_amendment_changes_must_target_known_records_and_obligations(tmp_path: Path) -> None:
    bad_target = _amendment(
        changes=[
            {
                "citation_id": f"{REGIME}:art-42",
                "field": "applies_from",
                "new_value": "2027-01-01",
                "note": "n",
            }
        ]
    )
    with pytest.raises(PackError, match=r"amendments\.yaml: \(demo-act:art-42\) .*changes\[0\]\.citation_id"):
        load_pack(write_pack(tmp_path / "a", amendments=[bad_target]))
    bad_obligation = _amendment(
        changes=[
            {
                "citation_id": f"{REGIME}:art-1-1",
                "field": "applies_from",
                "new_value": "2027-01-01",
                "note": "n",
                "obligation_id": "nope",
            }
        ]
    )
    with pytest.raises(PackError, match="unknown obligation 'nope'"):
        load_pack(write_pack(tmp_path / "b", amendments=[bad_obligation]))


def test_amendment_after_the_pack_as_of_date_rejected(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="after the pack's as_of"):
        load_pack(write_pack(tmp_path, amendments=[_amendment(status_date="2027-01-01")]))


def test_amendment_history_must_end_with_its_status(tmp_path: Path) -> None:
    history = [{"status": "proposed", "date": "2025-11-01"}, {"status": "agreed", "date": "2026-02-01"}]
    with pytest.raises(PackError, match=r"amendments\[0\] \(fix-2026\): history"):
        load_pack(write_pack(tmp_path, amendments=[_amendment(history=history)]))


def test_date_change_needs_a_date(tmp_path: Path) -> None:
    amendment = _amendment(
        changes=[
            {
                "citation_id": f"{REGIME}:art-2",
                "field": "applies_from",
                "new_value": "next spring",
                "note": "n",
            }
        ]
    )
    with pytest.raises(PackError, match=r"amendments\.yaml: amendments\[0\] \(fix-2026\): changes\[0\]"):
        load_pack(write_pack(tmp_path, amendments=[amendment]))


# --- effective dates: base text plus ADOPTED amendments only -------------------------------------


@pytest.mark.parametrize("status", ["proposed", "agreed", "withdrawn"])
def test_amendment_not_adopted_changes_no_date(tmp_path: Path, status: str) -> None:
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment(status=status)]))
    assert pack.effective_date(f"{REGIME}:art-2") == date(2026, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-2-1") == date(2026, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-3") == date(2026, 1, 1)
    # Its new record is known (to show it) but not part of the pack's records and not in force.
    assert f"{REGIME}:art-1-2" not in {r.citation_id for r in pack.records}
    assert pack.effective_date(f"{REGIME}:art-1-2") is None
    explanation = pack.explain_date(f"{REGIME}:art-2")
    if status != "withdrawn":
        assert [p.amendment_id for p in explanation.pending] == ["fix-2026"]
        assert "Pending (" in pack.record_text(f"{REGIME}:art-2")
    else:
        assert explanation.pending == []


def test_adopted_amendment_moves_dates_and_adds_records(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment()]))
    assert pack.record(f"{REGIME}:art-2").applies_from == date(2026, 1, 1)  # base text kept
    assert pack.effective_date(f"{REGIME}:art-2") == date(2027, 1, 1)
    explanation = pack.explain_date(f"{REGIME}:art-2")
    assert explanation.base == date(2026, 1, 1)
    assert explanation.changed_by is not None and explanation.changed_by.amendment_id == "fix-2026"
    # Children inherit; followers follow; untouched records keep their dates.
    assert pack.effective_date(f"{REGIME}:art-2-1") == date(2027, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-3") == date(2027, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-3-1") == date(2027, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-20") == date(2026, 6, 1)
    assert pack.effective_date(f"{REGIME}:art-1") == date(2025, 1, 1)
    added = pack.record(f"{REGIME}:art-1-2")
    assert added in pack.records and added.added_by == "fix-2026"
    assert pack.effective_date(f"{REGIME}:art-1-2") == date(2026, 12, 1)


def test_as_of_counts_only_amendments_adopted_by_then(tmp_path: Path) -> None:
    history = [
        {"status": "proposed", "date": "2025-11-01"},
        {"status": "agreed", "date": "2026-02-01"},
        {"status": "adopted", "date": "2026-03-01"},
    ]
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment(history=history)]))
    cid = f"{REGIME}:art-2"
    assert pack.effective_date(cid, as_of=date(2025, 12, 1)) == date(2026, 1, 1)
    assert pack.effective_date(cid, as_of=date(2026, 2, 28)) == date(2026, 1, 1)
    assert pack.effective_date(cid, as_of=date(2026, 3, 1)) == date(2027, 1, 1)
    assert pack.effective_date(cid) == date(2027, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-1-2", as_of=date(2026, 2, 28)) is None
    assert pack.amendment("fix-2026").status_on(date(2026, 2, 28)) is AmendmentStatus.AGREED


def test_subtree_change_hits_descendants_only(tmp_path: Path) -> None:
    change = {
        "citation_id": f"{REGIME}:art-2",
        "scope": "subtree",
        "field": "applies_from",
        "new_value": "2028-01-01",
        "note": "n",
    }
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment(changes=[change])]))
    assert pack.effective_date(f"{REGIME}:art-2") == date(2028, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-2-1") == date(2028, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-20") == date(2026, 6, 1)  # art-20 is not below art-2


def test_record_change_beats_subtree_change_and_later_amendment_wins(tmp_path: Path) -> None:
    subtree = {
        "citation_id": f"{REGIME}:art-2",
        "scope": "subtree",
        "field": "applies_from",
        "new_value": "2028-01-01",
        "note": "n",
    }
    exact = {
        "citation_id": f"{REGIME}:art-2-1",
        "field": "applies_from",
        "new_value": "2029-01-01",
        "note": "n",
    }
    first = _amendment(changes=[subtree, exact], new_records=[])
    later = _amendment(
        id="fix-2026-bis",
        status_date="2026-05-01",
        new_records=[],
        changes=[{**subtree, "new_value": "2028-06-01"}],
    )
    pack = load_pack(write_pack(tmp_path, amendments=[first, later]))
    assert pack.effective_date(f"{REGIME}:art-2-1") == date(2029, 1, 1)
    assert pack.effective_date(f"{REGIME}:art-2") == date(2028, 6, 1)


def test_obligation_dates_and_transition(tmp_path: Path) -> None:
    changes = [
        {
            "citation_id": f"{REGIME}:art-1-1",
            "field": "applies_from",
            "new_value": "2026-09-01",
            "note": "n",
            "obligation_id": "do-it",
        },
        {
            "citation_id": f"{REGIME}:art-1",
            "field": "transition_ends",
            "new_value": "2026-04-01",
            "note": "Existing systems get until April.",
        },
        {"citation_id": f"{REGIME}:art-1", "field": "note", "new_value": "Relief widened.", "note": "n"},
    ]
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment(changes=changes)]))
    assert pack.effective_date(f"{REGIME}:art-1-1") == date(2025, 1, 1)  # inherited from art-1
    assert pack.obligation_effective_date(f"{REGIME}:art-1-1", "do-it") == date(2026, 9, 1)
    explanation = pack.explain_date(f"{REGIME}:art-1")
    assert explanation.transition_ends == date(2026, 4, 1)
    text = pack.record_text(f"{REGIME}:art-1")
    assert "Transitional period until 2026-04-01" in text
    assert "Amended by Fixing Act, 2026: Relief widened." in text


def test_route_dates_inherited_by_children(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path))
    routes = pack.route_dates(f"{REGIME}:art-3-1")
    assert [(route.route, day) for route, day in routes] == [(f"{REGIME}:art-20", date(2026, 6, 1))]
    assert pack.route_dates(f"{REGIME}:art-2") == []


def test_unknown_citation_id_raises_key_error(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path))
    with pytest.raises(KeyError, match="no record 'demo-act:art-404'"):
        pack.effective_date(f"{REGIME}:art-404")


# --- text and document -----------------------------------------------------------------------------


def test_as_text_has_title_summary_obligations_conditions_exceptions() -> None:
    record = PackRecord.model_validate(
        {
            **_record("art-7", applies_from="2026-08-02"),
            "obligations": [{"id": "tell", "owner": "deployer", "text": "Tell people."}],
            "conditions": ["Only for public bodies."],
            "exceptions": ["Not for research."],
            "penalty": {"max_amount_eur": 15000000, "max_turnover_percent": 3, "applies_to": "breaches"},
            "source_reference": "Demo Act, Art. 7",
        }
    )
    text = record.as_text()
    for expected in (
        "Article art-7: Title of art-7",
        "Our summary of art-7.",
        "Deployer: Tell people.",
        "Applies from (base text): 2026-08-02",
        "Only for public bodies.",
        "Not for research.",
        "Maximum fine: up to EUR 15,000,000 or 3% of total worldwide annual turnover, whichever is higher",
    ):
        assert expected in text
    # Triage data and references are not indexed text.
    assert "Source:" not in text and "Related:" not in text and "Use cases:" not in text


def test_to_document_one_section_per_record_and_amendment(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, amendments=[_amendment()]))
    document = pack.to_document()
    assert document.kind is DocumentKind.REGULATION
    assert document.source_id == REGIME and document.as_of == date(2026, 11, 20)
    ids = [section.citation_id for section in document.sections]
    assert ids[: len(pack.records)] == [record.citation_id for record in pack.records]
    assert ids[-1] == f"{REGIME}:amendment-fix-2026"
    assert len(ids) == len(set(ids)) == len(pack.records) + 1
    child = next(s for s in document.sections if s.citation_id == f"{REGIME}:art-3-1")
    assert child.parent_id == f"{REGIME}:art-3"
    assert child.parents == ["Title of art-3"]
    assert child.level is SectionLevel.RECORD
    assert "2027-01-01" in child.text and "knowledge as of 2026-11-20" in child.text
    amendment_text = document.sections[-1].text
    assert "Status: adopted on 2026-03-01" in amendment_text
    # Changed and added records are named by their locators, so a quoted change reads as prose.
    assert "- Article art-2: applies from 2027-01-01. Postponed by a year." in amendment_text
    assert "- Title of art-1-2 (Article art-1-2)" in amendment_text and "demo-act:" not in amendment_text


def test_an_amendment_of_superseded_rules_is_history(tmp_path: Path) -> None:
    records = _base_records()
    note = "Repealed by the Demo Act 2026 before it applied."
    records[2] = {**records[2], "status": "superseded", "status_note": note}  # art-2, which it moves
    pack = load_pack(write_pack(tmp_path, records=records, amendments=[_amendment(new_records=[])]))
    text = pack.to_document().sections[-1].text
    assert read_provenance(text).historical and read_provenance(text).status_note == note
    # While the rule it changed is current, the amendment is not history.
    current = load_pack(write_pack(tmp_path / "current", amendments=[_amendment(new_records=[])]))
    assert not read_provenance(current.to_document().sections[-1].text).historical
    # An amendment known from reporting says so, as a reported record does.
    reported = _amendment(new_records=[], reported="Known from the Gazette of 3 May 2026. Text not read.")
    pack = load_pack(write_pack(tmp_path / "reported", amendments=[reported]))
    provenance = read_provenance(pack.to_document().sections[-1].text)
    assert provenance.reported and provenance.source == "Known from the Gazette of 3 May 2026."
    assert not provenance.historical


# --- fingerprint -----------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_detects_changes(tmp_path: Path) -> None:
    directory = write_pack(tmp_path)
    first = packs_fingerprint(tmp_path)
    assert first == packs_fingerprint(tmp_path)
    records = directory / "records.yaml"
    records.write_text(records.read_text().replace("Our summary of art-2.", "A better summary of art-2."))
    assert packs_fingerprint(tmp_path) != first
    assert len(packs_fingerprint()) == 64 and packs_fingerprint() == packs_fingerprint(DEFAULT_ROOT)


def test_missing_root_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="not a directory"):
        load_packs(tmp_path / "absent")


# --- provenance: status and confidence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"confidence": "reported"}, "must say in notes which source"),
        ({"confidence": "reported", "notes": "reported"}, "must say in notes which source"),
        ({"status": "withdrawn"}, "a 'withdrawn' record must say when and by what"),
        ({"status": "superseded", "status_note": "  "}, "a 'superseded' record must say when"),
        ({"status": "stayed"}, "a 'stayed' record must say when"),
        ({"status": "proposed"}, "a 'proposed' record must say when"),
        (
            {"status": "withdrawn", "status_note": "Withdrawn in 2025.", "use_case_codes": ["hiring"]},
            "is history and must not trigger triage",
        ),
        ({"status": "repealed"}, "status"),
        ({"confidence": "rumoured"}, "confidence"),
    ],
)
def test_provenance_rules(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    records = _base_records()
    records[2] = {**records[2], **change}
    with pytest.raises(PackError) as caught:
        load_pack(write_pack(tmp_path, records=records))
    assert "records[2]" in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        {"status": "adopted"},  # adopted, not yet applying: the date says when
        {"status": "withdrawn", "status_note": "Withdrawn on 12 May 2025."},
        {"confidence": "reported", "notes": "Reported by the Gazette, 3 May 2026."},
        {"status_note": "In force; a court challenge is pending."},
    ],
)
def test_provenance_that_passes(tmp_path: Path, change: dict[str, Any]) -> None:
    records = _base_records()
    records[2] = {**records[2], **change}
    pack = load_pack(write_pack(tmp_path, records=records))
    assert pack.record(f"{REGIME}:art-2").status.value == change.get("status", "in_force")


def test_provenance_travels_with_the_indexed_text(tmp_path: Path) -> None:
    records = _base_records()
    records[2] = {
        **records[2],
        "instrument": "Demo Act 2024",
        "status": "superseded",
        "status_note": "Replaced by the Demo Act 2026 from 1 January 2027.",
        "confidence": "reported",
        "notes": "Reported by the Demo Gazette. The enrolled text was not read.",
    }
    pack = load_pack(write_pack(tmp_path, records=records))
    text = pack.record_text(f"{REGIME}:art-2")
    assert "Instrument: Demo Act 2024" in text
    assert "Status: superseded. Replaced by the Demo Act 2026 from 1 January 2027." in text
    assert "Confidence: reported. Reported by the Demo Gazette." in text  # first sentence names the source
    provenance = read_provenance(text)
    assert provenance.historical and provenance.reported
    assert provenance.status_note == "Replaced by the Demo Act 2026 from 1 January 2027."
    assert provenance.source == "Reported by the Demo Gazette."
    # An official record in force carries no provenance lines and reads back as such.
    plain = pack.record_text(f"{REGIME}:art-1")
    assert "Status:" not in plain and "Confidence:" not in plain
    assert read_provenance(plain) == Provenance()
    assert not pack.record(f"{REGIME}:art-2").is_current and pack.record(f"{REGIME}:art-1").is_current


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("What did SB24-205 require of deployers?", True),
        ("Was the EEOC AI guidance withdrawn?", True),
        ("What did the CFPB circular used to say?", True),
        ("Is CFPB Circular 2022-03 still in force?", True),
        ("What is the history of the Colorado AI Act?", True),
        ("When does the Colorado AI Act apply?", False),
        ("Does ECOA allow disparate impact claims?", False),
        ("How old must an applicant be to count as elderly?", False),
    ],
)
def test_questions_about_history(question: str, history: bool) -> None:
    assert asks_about_history(question) is history
