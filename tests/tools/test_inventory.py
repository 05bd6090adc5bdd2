"""The inventory on SQLite and PostgreSQL: systems, versioned immutable assessments, diffs, retriage
after a knowledge change, and the append-only audit log."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

import tools.audit
from core.db import Database, alembic_config, create_db_engine, migrate
from core.models import Assessment, AuditEvent, ImmutableRowError
from tests.tools import edited_knowledge, high_risk_result, limited_result, profile
from tools import audit, inventory
from tools.inventory import KnowledgeBasis
from tools.triage.schemas import EuTier, SystemProfile, TriageResult


def test_migration_0002_creates_and_removes_the_inventory_tables(database_url: str) -> None:
    from alembic import command

    engine = create_db_engine(database_url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"ai_systems", "assessments", "review_tasks", "audit_events"} <= tables
    command.downgrade(alembic_config(engine), "0001")
    assert not {"ai_systems", "assessments", "review_tasks", "audit_events"} & set(
        inspect(engine).get_table_names()
    )
    migrate(engine)
    assert "audit_events" in inspect(engine).get_table_names()
    engine.dispose()


def test_recording_creates_the_system_once_and_numbers_versions(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    with db.session() as session:
        first = inventory.record_assessment(
            session=session, profile=profile(), result=limited_result(), actor="priya", knowledge=knowledge
        )
    with db.session() as session:
        second = inventory.record_assessment(
            session=session,
            profile=profile(description="Ranks and rejects applicants."),
            result=high_risk_result(),
            actor="tomas",
            knowledge=knowledge,
        )
    assert (first.system_id, first.version, second.version) == ("cv-screener", 1, 2)
    assert second.result.system.id == "cv-screener" and second.eu_tier == "high"
    assert second.internal_tier == "T1" and second.created_by == "tomas"
    assert second.packs_fingerprint == knowledge.fingerprint
    # Every cited pack record is fingerprinted; nothing else is.
    assert set(second.cited_records) == {
        "eu-ai-act:annex-iii-4-a",
        "eu-ai-act:art-6-2",
        "eu-ai-act:art-26",
        "nyc-ll144:20-871",
    }
    assert all(len(h or "") == 64 for h in second.cited_records.values())

    with db.session() as session:
        systems = inventory.list_systems(session=session)
        assert [(s.id, s.latest_version, s.eu_tier, s.internal_tier) for s in systems] == [
            ("cv-screener", 2, "high", "T1")
        ]
        assert systems[0].owner == "priya"  # the first recorder owns it
        assert systems[0].description == "Ranks and rejects applicants."
        for key in ("cv-screener", "CV Screener", "cv screener"):
            found = inventory.get_system(session=session, name_or_id=key)
            assert found is not None and found.id == "cv-screener"
        assert inventory.get_system(session=session, name_or_id="nothing") is None
        history = inventory.assessment_history(session=session, system_id="cv-screener")
        assert [(a.version, a.eu_tier) for a in history] == [(1, "limited"), (2, "high")]
        assert inventory.get_assessment(session=session, system_id="cv-screener", version=1) == history[0]
        assert inventory.get_assessment(session=session, system_id="cv-screener") == history[1]
        actions = [(e.action, e.actor) for e in audit.list_events(session=session)]
    assert actions == [
        ("system.created", "priya"),
        ("assessment.recorded", "priya"),
        ("assessment.recorded", "tomas"),
    ]


def test_names_that_slugify_alike_get_distinct_ids(db: Database, knowledge: KnowledgeBasis) -> None:
    with db.session() as session:
        ids = [
            inventory.record_assessment(
                session=session,
                profile=profile(name),
                result=limited_result(name),
                actor="a",
                knowledge=knowledge,
            ).system_id
            for name in ("CV Screener", "CV-Screener", "cv screener!")
        ]
    assert ids == ["cv-screener", "cv-screener-2", "cv-screener-3"]


def test_diff_reports_tiers_grounds_obligations_regimes_and_reviews(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=limited_result(), actor="a", knowledge=knowledge
        )
        inventory.record_assessment(
            session=session,
            profile=profile(interacts_with_people=True),
            result=high_risk_result(),
            actor="a",
            knowledge=knowledge,
        )
        diff = inventory.diff_versions(session=session, system_id="cv-screener", from_version=1, to_version=2)
        detail = inventory.system_detail(session=session, name_or_id="CV Screener")
        with pytest.raises(LookupError, match="no assessment version 7"):
            inventory.diff_versions(session=session, system_id="cv-screener", from_version=1, to_version=7)

    assert diff.changed
    assert (diff.eu_tier and (diff.eu_tier.before, diff.eu_tier.after)) == ("limited", "high")
    assert (diff.internal_tier and (diff.internal_tier.before, diff.internal_tier.after)) == ("T3", "T1")
    assert diff.status is None
    assert [g.citation for g in diff.grounds_added] == ["eu-ai-act:annex-iii-4-a", "eu-ai-act:art-6-2"]
    assert [g.citation for g in diff.grounds_removed] == ["eu-ai-act:art-50-1"]
    assert [o.id for o in diff.obligations_added] == ["deployer-oversight"]
    assert [o.id for o in diff.obligations_removed] == ["disclose-ai"]
    assert (diff.regimes_added, diff.regimes_removed) == (["nyc-ll144"], [])
    assert (diff.reviews_added, diff.reviews_removed) == (["privacy-dpia"], [])
    assert diff.profile_fields_changed == ["interacts_with_people"]
    lines = diff.summary_lines()
    assert (
        lines[0] == "EU tier: limited -> high" and "- ground eu-ai-act:art-50-1: Talks with people." in lines
    )
    assert json.loads(diff.model_dump_json())["changed"] is True

    assert detail is not None and detail.diff_from_previous == diff
    assert [h.version for h in detail.history] == [1, 2] and detail.latest and detail.latest.version == 2


def test_an_unchanged_triage_returns_the_existing_assessment(db: Database, knowledge: KnowledgeBasis) -> None:
    with db.session() as session:
        old = inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="a", knowledge=knowledge
        )
        again = [
            inventory.record_assessment(
                session=session, profile=profile(), result=high_risk_result(), actor="b", knowledge=knowledge
            )
            for _ in range(2)
        ]
        history = inventory.assessment_history(session=session, system_id=old.system_id)
    assert [a.version for a in again] == [1, 1] and [a.id for a in again] == [old.id, old.id]
    assert [a.version for a in history] == [1] and again[0].created_by == "a"
    diff = inventory.diff_assessments(old, again[0])
    assert not diff.changed and diff.summary_lines() == []


def test_a_changed_profile_makes_a_new_version(db: Database, knowledge: KnowledgeBasis) -> None:
    with db.session() as session:
        old = inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="a", knowledge=knowledge
        )
        edited = profile().model_copy(update={"description": profile().description + " Also for interns."})
        new = inventory.record_assessment(
            session=session, profile=edited, result=high_risk_result(), actor="a", knowledge=knowledge
        )
    assert (old.version, new.version) == (1, 2)
    assert inventory.profile_digest(old.profile) != inventory.profile_digest(new.profile)
    assert inventory.diff_assessments(old, new).profile_fields_changed == ["description"]


def test_assessments_cannot_be_changed_through_the_orm(db: Database, knowledge: KnowledgeBasis) -> None:
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="a", knowledge=knowledge
        )
    with pytest.raises(ImmutableRowError, match="re-triage adds a new version"), db.session() as session:
        row = session.scalars(select(Assessment)).one()
        row.eu_tier = "minimal"
        session.flush()
    with db.session() as session:
        assert session.scalars(select(Assessment.eu_tier)).one() == "high"


def test_concurrent_recordings_of_a_new_system_share_it_and_get_distinct_versions(
    db: Database, database_url: str, tmp_path: Path, knowledge: KnowledgeBasis
) -> None:
    writers = 4
    barrier = threading.Barrier(writers)
    versions: list[int] = []
    errors: list[BaseException] = []

    def record(n: int) -> None:
        # Each writer has its own engine and connections, as a separate process would (the schema is
        # migrated already: Alembic is not thread-safe). Each records a different profile: identical
        # ones would share one version.
        own = Database(create_db_engine(database_url))
        try:
            barrier.wait(timeout=30)
            with own.session() as session:
                versions.append(
                    inventory.record_assessment(
                        session=session,
                        profile=profile().model_copy(
                            update={"description": f"{profile().description} ({n})"}
                        ),
                        result=high_risk_result(),
                        actor="a",
                        knowledge=knowledge,
                    ).version
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=record, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(versions) == [1, 2, 3, 4]
    with db.session() as session:
        assert [s.id for s in inventory.list_systems(session=session)] == ["cv-screener"]
        created = audit.list_events(session=session, action="system.created")
    assert len(created) == 1


def test_record_hash_follows_the_nearest_pack_record(knowledge: KnowledgeBasis) -> None:
    record = knowledge.record_hash("eu-ai-act:annex-iii-4-a")
    assert record is not None
    # A finer citation than any record rests on its nearest ancestor record.
    assert knowledge.record_hash("eu-ai-act:annex-iii-4-a-zz") == record
    assert knowledge.record_hash("eu-ai-act:art-6-2") not in (None, record)
    assert knowledge.record_hash("acme-policy:section-3") is None
    edited = edited_knowledge(knowledge, "eu-ai-act:annex-iii-4-a", "An older summary in our words.")
    assert edited.record_hash("eu-ai-act:annex-iii-4-a") != record
    assert edited.record_hash("eu-ai-act:art-6-2") == knowledge.record_hash("eu-ai-act:art-6-2")


def test_retriage_changed_finds_systems_whose_cited_records_changed(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    before_update = edited_knowledge(knowledge, "eu-ai-act:annex-iii-4-a", "An older summary in our words.")
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="a", knowledge=before_update
        )
        # Another system cites only unchanged records.
        inventory.record_assessment(
            session=session,
            profile=profile("Support bot", use_cases=["customer_chatbot"]),
            result=limited_result("Support bot"),
            actor="a",
            knowledge=before_update,
        )
    with db.session() as session:
        stale = inventory.stale_assessments(session=session, knowledge=knowledge)
        assert [(s.system_id, s.version, s.changed_citations) for s in stale] == [
            ("cv-screener", 1, ["eu-ai-act:annex-iii-4-a"])
        ]

    seen: list[SystemProfile] = []

    def triage_fn(p: SystemProfile) -> TriageResult:
        seen.append(p)
        result = high_risk_result()
        result.obligations = []  # say the updated record dropped the obligation
        return result

    with db.session() as session:
        dry = inventory.retriage(
            session=session, triage_fn=triage_fn, actor="cron", knowledge=knowledge, dry_run=True
        )
        assert [(o.system_id, o.new_version, o.diff) for o in dry] == [
            ("cv-screener", None, None)
        ] and not seen
        outcomes = inventory.retriage(session=session, triage_fn=triage_fn, actor="cron", knowledge=knowledge)
    assert [p.name for p in seen] == ["CV Screener"]
    [outcome] = outcomes
    assert (outcome.previous_version, outcome.new_version, outcome.error) == (1, 2, None)
    assert outcome.changed_citations == ["eu-ai-act:annex-iii-4-a"]
    assert outcome.diff is not None and [o.id for o in outcome.diff.obligations_removed] == [
        "deployer-oversight"
    ]
    assert outcome.diff.eu_tier is None
    with db.session() as session:
        # The new version rests on the current records: nothing is stale any more.
        assert inventory.stale_assessments(session=session, knowledge=knowledge) == []
        latest = inventory.get_assessment(session=session, system_id="cv-screener")
        assert latest is not None and latest.created_by == "cron" and latest.version == 2


def test_retriage_reports_a_failing_triage_and_goes_on(db: Database, knowledge: KnowledgeBasis) -> None:
    with db.session() as session:
        for name in ("Alpha", "Beta"):
            inventory.record_assessment(
                session=session,
                profile=profile(name),
                result=high_risk_result(name),
                actor="a",
                knowledge=knowledge,
            )

    def triage_fn(p: SystemProfile) -> TriageResult:
        if p.name == "Alpha":
            raise ValueError("pack record missing")
        result = high_risk_result(p.name)
        result.eu_ai_act.tier = EuTier.LIMITED
        return result

    with db.session() as session:
        outcomes = inventory.retriage(
            session=session, triage_fn=triage_fn, actor="a", systems=["alpha", "Beta"], knowledge=knowledge
        )
        with pytest.raises(LookupError, match="no system called 'gamma'"):
            inventory.retriage(session=session, triage_fn=triage_fn, actor="a", systems=["gamma"])
    assert outcomes[0].error == "ValueError: pack record missing" and outcomes[0].new_version is None
    assert outcomes[1].diff is not None and outcomes[1].diff.eu_tier is not None
    assert outcomes[1].diff.eu_tier.after == "limited"


# --- audit log -----------------------------------------------------------------------------------


def test_the_audit_layer_offers_no_way_to_change_or_delete(db: Database) -> None:
    public = [name for name in dir(tools.audit) if not name.startswith("_")]
    verbs = ("update", "delete", "remove", "edit", "change", "purge", "truncate", "set_")
    assert not [name for name in public if any(v in name.lower() for v in verbs)]
    assert {"record_event", "list_events", "export_jsonl"} <= set(public)


def test_audit_events_refuse_orm_updates_and_deletes(db: Database) -> None:
    with db.session() as session:
        audit.record_event(session=session, actor="a", action="x.done", subject="system:s", details={"k": 1})
    with pytest.raises(ImmutableRowError, match="append-only"), db.session() as session:
        session.scalars(select(AuditEvent)).one().actor = "somebody else"
        session.flush()
    with pytest.raises(ImmutableRowError, match="append-only"), db.session() as session:
        session.delete(session.scalars(select(AuditEvent)).one())
        session.flush()
    with db.session() as session:
        assert [e.actor for e in audit.list_events(session=session)] == ["a"]


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_audit_events(db: Database, statement: str) -> None:
    with db.session() as session:
        audit.record_event(session=session, actor="a", action="x.done", subject="system:s")
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(text(statement))
    with db.session() as session:
        assert [e.actor for e in audit.list_events(session=session)] == ["a"]


def test_audit_events_carry_the_knowledge_version_and_export_as_json_lines(db: Database) -> None:
    from knowledge import store

    with db.session() as session:
        store.bump_revision(session=session)
        store.set_meta(session=session, key=audit.PACKS_FINGERPRINT_META_KEY, value="abcdef0123456789")
        audit.record_event(session=session, actor="a", action="one", subject="task:1", details={"n": 1})
        audit.record_event(session=session, actor="b", action="two", subject="task:2")
    out = io.StringIO()
    with db.session() as session:
        assert audit.export_jsonl(session=session, out=out) == 2
        assert [e.subject for e in audit.list_events(session=session, subject="task:2")] == ["task:2"]
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["action"] for line in lines] == ["one", "two"]
    assert lines[0]["knowledge_version"] == "revision 1, packs abcdef012345"
    assert lines[0]["details"] == {"n": 1} and lines[0]["at"].endswith("Z")
    assert set(lines[0]) == {"id", "at", "actor", "action", "subject", "details", "knowledge_version"}


def test_the_packs_fingerprint_key_matches_the_builtin_loader() -> None:
    from knowledge.builtin import PACKS_FINGERPRINT_KEY

    assert audit.PACKS_FINGERPRINT_META_KEY == PACKS_FINGERPRINT_KEY


def test_a_changed_tiering_standard_alone_makes_an_assessment_stale(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    from dataclasses import replace

    from knowledge.tiering import load_tiering_standard

    standard = load_tiering_standard()
    recorded_under = replace(knowledge, standard=standard)
    with db.session() as session:
        inventory.record_assessment(
            session=session, profile=profile(), result=high_risk_result(), actor="a", knowledge=recorded_under
        )
    key = f"{inventory.STANDARD_PREFIX}{standard.doc_id}"
    with db.session() as session:
        stored = session.scalars(select(Assessment)).one()
        assert stored.cited_records[key] == recorded_under.record_hash(key) is not None
        # Same packs, same standard: nothing to re-triage; no standard in hand: nothing to compare.
        assert inventory.stale_assessments(session=session, knowledge=recorded_under) == []
        assert inventory.stale_assessments(session=session, knowledge=knowledge) == []

    revised = standard.model_copy(update={"version": standard.version + "-revised", "rules": []})
    with db.session() as session:
        stale = inventory.stale_assessments(session=session, knowledge=replace(knowledge, standard=revised))
    assert [(s.system_id, s.changed_citations) for s in stale] == [("cv-screener", [key])]

    other = standard.model_copy(update={"doc_id": "another-standard"})
    with db.session() as session:
        stale = inventory.stale_assessments(session=session, knowledge=replace(knowledge, standard=other))
    assert [s.changed_citations for s in stale] == [[key]]


def test_the_sample_history_imports_once_and_retriages_onto_sb_26_189(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    """The sample's saved assessment (made under the 2026-11-20 packs) is recorded as it was made, and the
    December 2026 update shows on retriage: SB 24-205 duties from 30 June 2026 out, SB 26-189's from 2027."""
    from functools import partial

    from knowledge.samples import SAMPLE_ASSESSMENTS
    from tools.inventory import AssessmentPublic
    from tools.triage.engine import triage

    [path] = [p for p in SAMPLE_ASSESSMENTS if p.name.startswith("loan-scorer")]
    saved = AssessmentPublic.model_validate_json(path.read_text(encoding="utf-8"))
    with db.session() as session:
        imported = inventory.import_assessment(session=session, assessment=saved, actor="sample-data")
        again = inventory.import_assessment(session=session, assessment=saved, actor="sample-data")
    assert imported is not None and again is None
    assert (imported.version, imported.knowledge_as_of.isoformat()) == (1, "2026-11-20")
    assert (
        imported.cited_records == saved.cited_records
        and imported.result.obligations == saved.result.obligations
    )

    triage_fn = partial(triage, packs=list(knowledge.packs))
    with db.session() as session:
        [stale] = inventory.stale_assessments(session=session, knowledge=knowledge)
        [outcome] = inventory.retriage(
            session=session, triage_fn=triage_fn, actor="demo", knowledge=knowledge
        )
    assert stale.system_id == imported.system_id and "colorado-ai-act:6-1-1703-4-a" in stale.changed_citations
    assert outcome.diff is not None and (outcome.previous_version, outcome.new_version) == (1, 2)
    removed = {(o.citation, str(o.applies_from)) for o in outcome.diff.obligations_removed}
    added = {(o.citation, str(o.applies_from)) for o in outcome.diff.obligations_added}
    assert ("colorado-ai-act:6-1-1703-4-a", "2026-06-30") in removed
    assert ("colorado-ai-act:sb26-189-deployer-notice", "2027-01-01") in added
    assert (
        "+ obligation colorado-ai-act:sb26-189-deployer-notice Tell consumers before covered ADMT is used "
        "in a consequential decision about them. (from 2027-01-01)" in outcome.diff.summary_lines()
    )
    # The new duties come with what holds them back: the federal stay, once.
    stays = [line for line in outcome.diff.summary_lines() if "X.AI LLC v. Weiser" in line]
    assert len(stays) == 1 and stays[0].startswith("status of SB 26-189: ") and "27 April 2026" in stays[0]


def test_retriage_finds_every_sample_system_the_december_update_affects(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    """Both saved sample assessments go stale under today's packs, and the CV screener's retriage drops
    the duty that rested on the EEOC's withdrawn 2023 technical-assistance document."""
    from functools import partial

    import yaml

    from knowledge.samples import SAMPLE_ASSESSMENTS, SAMPLES_DIR
    from tools.inventory import AssessmentPublic
    from tools.triage.engine import triage

    saved = [AssessmentPublic.model_validate_json(p.read_text(encoding="utf-8")) for p in SAMPLE_ASSESSMENTS]
    # Every sample system profile has a saved history, so none is left out of the demo's retriage.
    profiles = sorted((SAMPLES_DIR / "systems").glob("*.yaml"))
    assert sorted(a.profile.name for a in saved) == sorted(
        yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in profiles
    )
    with db.session() as session:
        for assessment in saved:
            assert inventory.import_assessment(session=session, assessment=assessment, actor="sample-data")
        stale = inventory.stale_assessments(session=session, knowledge=knowledge)
        triage_fn = partial(triage, packs=list(knowledge.packs))
        outcomes = inventory.retriage(session=session, triage_fn=triage_fn, actor="demo", knowledge=knowledge)
    assert {s.system_id for s in stale} == {a.system_id for a in saved} == {o.system_id for o in outcomes}
    [cv] = [o for o in outcomes if o.system_id == "talentrank-cv-screener"]
    assert cv.diff is not None and (cv.previous_version, cv.new_version) == (1, 2)
    withdrawn = "eeoc-title-vii:ta-2023-ai-selection-vendors"
    assert withdrawn in next(s for s in stale if s.system_id == cv.system_id).changed_citations
    assert withdrawn in {o.citation for o in cv.diff.obligations_removed}
    assert withdrawn not in {o.citation for o in cv.diff.obligations_added}
