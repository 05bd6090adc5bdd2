"""The launch gate, waivers, re-reviews on schedule and the evidence bundle, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.clock import utc_now
from core.db import Database
from knowledge.samples import SAMPLES_DIR
from knowledge.tiering import TieringStandard, load_tiering_standard
from tests.tools import FAIRNESS, LEGAL, PRIVACY, TODAY, high_risk_result, profile
from tools import audit, gate, inventory, tasks
from tools.bundle import BundleAttachment, BundleError, build_bundle, verify_bundle
from tools.gate import GateOutcome, ItemKind, WaiverError
from tools.inventory import AssessmentPublic, KnowledgeBasis
from tools.triage.engine import triage
from tools.triage.schemas import EuTier, MissingInformation, SystemProfile, TriageResult, TriageStatus

APPROVED_AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = ["priya", "U0RAI"]


@pytest.fixture(scope="module")
def standard() -> TieringStandard:
    # The sample standard: T1 is re-reviewed every 12 months and on any profile change; T2 every 12.
    return load_tiering_standard(SAMPLES_DIR / "tiering-standard.yaml")


def record(
    db: Database,
    knowledge: KnowledgeBasis,
    result: TriageResult | None = None,
    prof: SystemProfile | None = None,
) -> AssessmentPublic:
    with db.session() as session:
        return inventory.record_assessment(
            session=session,
            profile=prof or profile(),
            result=result or high_risk_result(),
            actor="ana",
            knowledge=knowledge,
        )


def file(db: Database, assessment: AssessmentPublic) -> list[tasks.TaskPublic]:
    with db.session() as session:
        return tasks.file_review_tasks(session=session, assessment=assessment, today=TODAY)


def approve(
    db: Database, task_id: int, *, at: datetime = APPROVED_AT, conditions: tuple[str, ...] = ()
) -> None:
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=task_id, actor="lena", status="in_review", now=at)
        tasks.update_task_status(
            session=session,
            task_id=task_id,
            actor="lena",
            status="approved",
            note="Signed off.",
            conditions=conditions,
            now=at,
        )


def check(
    db: Database,
    standard: TieringStandard,
    *,
    prof: SystemProfile | None = None,
    system: str | None = None,
    now: datetime = NOW,
) -> gate.GateReport:
    with db.session() as session:
        report = gate.evaluate_gate(
            session=session,
            target="ai-system.yaml" if system is None else system,
            standard=standard,
            profile=(prof or profile()) if system is None else None,
            system=system,
            now=now,
        )
        return gate.record_gate_run(session=session, report=report, actor="ci")


def kinds(report: gate.GateReport) -> dict[str, ItemKind]:
    return {item.key: item.kind for item in report.blocking}


def test_an_untriaged_profile_is_blocked_and_cannot_be_waived(
    db: Database, standard: TieringStandard
) -> None:
    report = check(db, standard)
    assert report.outcome is GateOutcome.BLOCKED and kinds(report) == {"triage": ItemKind.NOT_TRIAGED}
    assert not report.blocking[0].waivable
    assert "govassist triage --input ai-system.yaml --file-tasks" in report.blocking[0].resolution


def test_open_and_unfiled_reviews_block_with_owner_and_resolution(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    assessment = record(db, knowledge)
    report = check(db, standard)
    assert kinds(report) == {
        "review:legal": ItemKind.REVIEW_NOT_FILED,
        "review:privacy-dpia": ItemKind.REVIEW_NOT_FILED,
    }
    assert report.blocking[0].owner == "legal queue"

    legal, privacy = file(db, assessment)
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=privacy.id, actor="priya", assignee="<@U0LENA>")
    report = check(db, standard)
    assert kinds(report) == {
        "review:legal": ItemKind.REVIEW_PENDING,
        "review:privacy-dpia": ItemKind.REVIEW_PENDING,
    }
    by_key = {i.key: i for i in report.blocking}
    assert by_key["review:privacy-dpia"].owner == "<@U0LENA>" and by_key["review:legal"].task_id == legal.id
    assert f"govassist tasks update {legal.id}" in by_key["review:legal"].resolution
    assert report.assessment_version == 1 and report.eu_tier == "high" and report.internal_tier == "T1"


def test_approved_reviews_pass_with_their_conditions_and_re_review_dates(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    legal, privacy = file(db, record(db, knowledge))
    approve(db, legal.id, conditions=("Human review of every rejection",))
    blocked = check(db, standard)
    assert kinds(blocked) == {"review:privacy-dpia": ItemKind.REVIEW_PENDING}
    approve(db, privacy.id)
    report = check(db, standard)
    assert report.outcome is GateOutcome.PASSED and report.passed and not report.blocking
    approvals = {a.review_type: a for a in report.approvals}
    assert approvals["legal"].conditions == ["Human review of every rejection"]
    assert approvals["legal"].rereview_due == APPROVED_AT.date().replace(year=2027)
    # Idempotent triage: the same profile again returns v1, and the approvals still count.
    assert record(db, knowledge).version == 1
    assert check(db, standard).outcome is GateOutcome.PASSED


def test_a_changed_profile_needs_a_new_triage_and_on_t1_new_reviews(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    for task in file(db, record(db, knowledge)):
        approve(db, task.id)
    changed = profile(description="Ranks and shortlists job applicants' CVs for recruiters.")
    report = check(db, standard, prof=changed)
    assert (
        kinds(report) == {"triage": ItemKind.PROFILE_CHANGED} and "description" in report.blocking[0].message
    )
    assert not report.blocking[0].waivable
    # Triaged again: same tier and reviews, but T1 is re-reviewed on any profile change.
    assert record(db, knowledge, prof=changed).version == 2
    assert kinds(check(db, standard, prof=changed)) == {
        "review:legal": ItemKind.REVIEW_NOT_FILED,
        "review:privacy-dpia": ItemKind.REVIEW_NOT_FILED,
    }


def test_without_profile_change_rereview_approvals_carry_over_an_unchanged_tier(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    t2 = high_risk_result().model_copy(update={"internal_tier": "T2"})
    for task in file(db, record(db, knowledge, result=t2)):
        approve(db, task.id)
    changed = profile(description="Ranks and shortlists job applicants' CVs for recruiters.")
    assert record(db, knowledge, result=t2, prof=changed).version == 2
    assert check(db, standard, prof=changed).outcome is GateOutcome.PASSED


def test_a_retriage_that_changes_the_required_reviews_resets_the_gate(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    t2 = high_risk_result().model_copy(update={"internal_tier": "T2"})
    for task in file(db, record(db, knowledge, result=t2)):
        approve(db, task.id)
    more = high_risk_result(reviews=[LEGAL, PRIVACY, FAIRNESS]).model_copy(update={"internal_tier": "T2"})
    assert record(db, knowledge, result=more).version == 2
    assert kinds(check(db, standard)) == {
        "review:legal": ItemKind.REVIEW_NOT_FILED,
        "review:privacy-dpia": ItemKind.REVIEW_NOT_FILED,
        "review:fairness-audit": ItemKind.REVIEW_NOT_FILED,
    }


def test_a_prohibited_tier_blocks_and_cannot_be_waived(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    banned = high_risk_result(reviews=[])
    banned = banned.model_copy(
        update={
            "eu_ai_act": banned.eu_ai_act.model_copy(update={"tier": EuTier.PROHIBITED}),
            "internal_tier": "blocked",
        }
    )
    record(db, knowledge, result=banned)
    report = check(db, standard)
    assert kinds(report) == {"prohibited": ItemKind.PROHIBITED} and report.blocking[0].owner == "legal"
    with db.session() as session, pytest.raises(WaiverError, match="cannot be waived"):
        gate.grant_waiver(
            session=session,
            standard=standard,
            system="cv-screener",
            item="prohibited",
            reason="launch anyway",
            days=5,
            actor="priya",
            rai_team=TEAM,
            now=NOW,
        )


def test_missing_information_blocks(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    unsure = high_risk_result(reviews=[]).model_copy(
        update={
            "status": TriageStatus.NEEDS_INFORMATION,
            "missing_information": [
                MissingInformation(field="profiling", question="Does it profile people?")
            ],
        }
    )
    record(db, knowledge, result=unsure)
    report = check(db, standard)
    assert kinds(report) == {"needs-information": ItemKind.NEEDS_INFORMATION}
    assert "Does it profile people?" in report.blocking[0].message


def test_waivers_only_from_the_rai_team_pass_with_a_warning_until_they_expire(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    legal, _privacy = file(db, record(db, knowledge))
    approve(db, legal.id)

    def grant(actor: str, team: list[str], **kwargs: object) -> gate.WaiverPublic:
        values: dict[str, object] = {
            "item": "review:privacy-dpia",
            "reason": "DPIA signed next week",
            "days": 7,
        }
        values.update(kwargs)
        with db.session() as session:
            return gate.grant_waiver(
                session=session,
                standard=standard,
                system="cv-screener",
                actor=actor,
                rai_team=team,
                now=NOW,
                **values,  # type: ignore[arg-type]
            )

    with pytest.raises(WaiverError, match="not on the RAI team"):
        grant("ben", TEAM)
    with pytest.raises(WaiverError, match="no RAI team is configured"):
        grant("priya", [])
    with pytest.raises(WaiverError, match="1 to 90 days"):
        grant("priya", TEAM, days=91)
    with pytest.raises(WaiverError, match="needs a reason"):
        grant("priya", TEAM, reason="  ")
    with pytest.raises(WaiverError, match="does not block"):
        grant("priya", TEAM, item="review:legal")
    assert check(db, standard).outcome is GateOutcome.BLOCKED

    waiver = grant("priya", TEAM)
    report = check(db, standard, now=NOW + timedelta(days=6))
    assert report.outcome is GateOutcome.PASSED_WITH_WAIVERS and report.passed
    assert [w.item.key for w in report.waived] == ["review:privacy-dpia"] and report.waived[
        0
    ].waiver.id == waiver.id

    # Expired: blocked again; the expiry is logged once, however many runs see it.
    for _ in range(2):
        expired = check(db, standard, now=NOW + timedelta(days=8))
        assert expired.outcome is GateOutcome.BLOCKED and [w.id for w in expired.expired_waivers] == [
            waiver.id
        ]
    with db.session() as session:
        actions = [e.action for e in audit.list_events(session=session, subject="system:cv-screener")]
        runs = gate.gate_runs(session=session, system_id="cv-screener")
    assert actions.count("gate.waiver_granted") == 1 and actions.count("gate.waiver_expired") == 1
    assert actions.count("gate.checked") == len(runs) == 4
    assert [r["outcome"] for r in runs] == ["blocked", "passed_with_waivers", "blocked", "blocked"]


def test_re_reviews_fall_due_and_are_filed_once(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    t2 = high_risk_result().model_copy(update={"internal_tier": "T2"})
    legal, privacy = file(db, record(db, knowledge, result=t2))
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="priya", assignee="<@U0LENA>")
    approve(db, legal.id)
    approve(db, privacy.id, at=APPROVED_AT + timedelta(days=40))
    later = APPROVED_AT + timedelta(days=370)  # legal's 12 months have passed, privacy's not yet
    report = check(db, standard, now=later)
    assert kinds(report) == {"rereview:legal": ItemKind.REREVIEW_DUE} and report.blocking[0].waivable
    with db.session() as session:
        due_now = gate.due_rereviews(session=session, standard=standard, today=later.date())
        due_soon = gate.due_rereviews(session=session, standard=standard, today=later.date(), within_days=60)
    assert [(d.review_type, d.overdue, d.task_id) for d in due_now] == [("legal", True, None)]
    assert [d.review_type for d in due_soon] == ["legal", "privacy-dpia"]

    with db.session() as session:
        first = gate.file_due_rereviews(session=session, standard=standard, today=later.date())
    with db.session() as session:
        second = gate.file_due_rereviews(session=session, standard=standard, today=later.date())
    assert len(first.new_task_ids) == 1 and first.existing_task_ids == []
    assert second.new_task_ids == [] and second.existing_task_ids == first.new_task_ids
    with db.session() as session:
        rereview = tasks.get_task(session=session, task_id=first.new_task_ids[0])
        filed = audit.list_events(
            session=session, subject=f"task:{first.new_task_ids[0]}", action="task.filed"
        )
    assert rereview is not None and rereview.cycle == 2 and rereview.owner_queue == "legal"
    assert rereview.title.startswith("Re-review") and len(filed) == 1
    # The re-review goes to who decided the review last time; the filing event names them (one DM).
    assert rereview.assignee == "<@U0LENA>" and filed[0].details["assignee"] == "<@U0LENA>"
    assert rereview.due_date > later.date()
    assert check(db, standard, now=later).blocking[0].task_id == rereview.id

    approve(db, rereview.id, at=later)
    report = check(db, standard, now=later)
    assert report.outcome is GateOutcome.PASSED
    assert {a.review_type: a.rereview_due for a in report.approvals}["legal"] == gate.add_months(
        later.date(), 12
    )


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert gate.add_months(datetime(2027, 1, 31).date(), 1) == datetime(2027, 2, 28).date()
    assert gate.add_months(datetime(2026, 11, 25).date(), 14) == datetime(2028, 1, 25).date()


def test_the_evidence_bundle_holds_the_history_and_its_digests_verify(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis, tmp_path: Path
) -> None:
    legal, _ = file(db, record(db, knowledge))
    approve(db, legal.id, conditions=("Quarterly bias report",))
    check(db, standard)
    record(db, knowledge, prof=profile(description="Ranks and shortlists CVs."))
    out = tmp_path / "evidence.zip"
    with db.session() as session:
        manifest = build_bundle(
            session=session,
            system="CV Screener",
            out=out,
            actor="auditor",
            attachments=[
                BundleAttachment(name="v1/system-card.md", content=b"# System card\n", assessment_version=1)
            ],
        )
    paths = {f.path for f in manifest.files}
    assert {
        "system.json",
        "assessments/v1.json",
        "assessments/v2.json",
        "diffs/v1-v2.json",
        "tasks.json",
        "waivers.json",
        "gate-runs.json",
        "audit.jsonl",
        "attachments/v1/system-card.md",
    } == paths
    assert verify_bundle(out).system_id == "cv-screener"
    # An auditor without govassist checks the unpacked bundle with sha256sum.
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(unpacked)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == len(paths)
    with zipfile.ZipFile(out) as archive:
        task_rows = json.loads(archive.read("tasks.json"))
        diff = json.loads(archive.read("diffs/v1-v2.json"))
        events = [json.loads(line) for line in archive.read("audit.jsonl").decode().splitlines()]
        runs = json.loads(archive.read("gate-runs.json"))
    assert task_rows[0]["conditions"] == ["Quarterly bias report"] and diff["profile_fields_changed"] == [
        "description"
    ]
    assert {"assessment.recorded", "task.filed", "task.status_changed", "gate.checked"} <= {
        e["action"] for e in events
    }
    assert runs[0]["outcome"] == "blocked"

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(b"Quarterly", b"Yearly") if name == "tasks.json" else data)
    with pytest.raises(BundleError, match=r"tasks\.json does not match"):
        verify_bundle(tampered)
    with db.session() as session, pytest.raises(BundleError, match="no system"):
        build_bundle(session=session, system="nothing", out=tmp_path / "x.zip", actor="a")


def test_concurrent_filers_file_a_due_re_review_once(
    db: Database, database_url: str, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    import threading

    from core.db import create_db_engine

    t2 = high_risk_result(reviews=[LEGAL]).model_copy(update={"internal_tier": "T2"})
    [legal] = file(db, record(db, knowledge, result=t2))
    approve(db, legal.id)
    later = (APPROVED_AT + timedelta(days=400)).date()
    writers = 3
    barrier = threading.Barrier(writers)
    outcomes: list[gate.RereviewFiling] = []
    errors: list[BaseException] = []

    def run() -> None:
        own = Database(create_db_engine(database_url))  # as a separate process would
        try:
            barrier.wait(timeout=30)
            with own.session() as session:
                outcomes.append(gate.file_due_rereviews(session=session, standard=standard, today=later))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(len(o.new_task_ids) for o in outcomes) == 1
    with db.session() as session:
        rereviews = [t for t in tasks.list_tasks(session=session) if t.cycle == 2]
    assert len(rereviews) == 1


def test_migration_0005_downgrades_and_upgrades_again(
    db: Database, database_url: str, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    from alembic import command
    from sqlalchemy import inspect as sa_inspect

    from core.db import alembic_config, create_db_engine, migrate

    t2 = high_risk_result(reviews=[LEGAL]).model_copy(update={"internal_tier": "T2"})
    [legal] = file(db, record(db, knowledge, result=t2))
    approve(db, legal.id)
    with db.session() as session:
        gate.file_due_rereviews(
            session=session, standard=standard, today=(APPROVED_AT + timedelta(days=400)).date()
        )
    engine = create_db_engine(database_url)
    try:
        command.downgrade(alembic_config(engine), "0005-1")
        columns = {c["name"] for c in sa_inspect(engine).get_columns("review_tasks")}
        assert "cycle" not in columns and not sa_inspect(engine).has_table("gate_waivers")
        migrate(engine)
        assert sa_inspect(engine).has_table("gate_runs")
    finally:
        engine.dispose()
    with db.session() as session:
        assert [(t.id, t.cycle) for t in tasks.list_tasks(session=session)] == [(legal.id, 1)]


def test_a_rejected_review_blocks_until_the_system_changes(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    legal, privacy = file(db, record(db, knowledge))
    approve(db, privacy.id)
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="lena", status="in_review")
        tasks.update_task_status(
            session=session, task_id=legal.id, actor="lena", status="rejected", note="No NYC bias audit yet."
        )
    report = check(db, standard)
    assert kinds(report) == {"review:legal": ItemKind.REVIEW_REFUSED}
    item = report.blocking[0]
    assert item.task_id == legal.id and "rejected (No NYC bias audit yet.)" in item.message
    assert item.owner == "ana" and "triage again" in item.resolution and item.waivable


def test_a_review_open_across_a_retriage_covers_the_new_assessment_when_decided_after(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    t2 = high_risk_result().model_copy(update={"internal_tier": "T2"})
    legal, privacy = file(db, record(db, knowledge, result=t2))
    approve(db, legal.id, at=datetime(2026, 1, 5, tzinfo=UTC))  # decided before the retriage
    more = high_risk_result(reviews=[LEGAL, PRIVACY, FAIRNESS]).model_copy(update={"internal_tier": "T2"})
    v2 = record(db, knowledge, result=more)
    filed = {t.review_type: t for t in file(db, v2)}
    # Privacy was still open: filing v2 adds none for it; legal was decided for v1, so v2 gets its own.
    assert filed["privacy-dpia"].id == privacy.id and filed["legal"].id != legal.id
    for task in filed.values():
        approve(db, task.id, at=utc_now())
    report = check(db, standard, now=utc_now())
    assert report.outcome is GateOutcome.PASSED
    assert {a.review_type: a.task_id for a in report.approvals} == {t: task.id for t, task in filed.items()}


# --- re-reviews on retraining (`rereview_on: [retraining]`, the sample standard's T1) --------------------


def test_model_version_changes_no_tier_and_no_digest_of_a_profile_without_it(
    standard: TieringStandard,
) -> None:
    plain = profile()
    retrained = profile(model_version="2026-11 retrain")
    assert triage(retrained, standard=standard) == triage(plain, standard=standard)
    # A profile without a version keeps the digest it had before the field existed.
    facts = plain.model_dump(mode="json")
    facts.pop("model_version")
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":")).encode()
    assert inventory.profile_digest(plain) == hashlib.sha256(canonical).hexdigest()
    assert inventory.profile_digest(retrained) != inventory.profile_digest(plain)


def test_a_retrained_t1_system_needs_its_reviews_again_filed_once_and_approved(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    v1 = profile(model_version="v1")
    legal, privacy = file(db, record(db, knowledge, prof=v1))
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=legal.id, actor="priya", assignee="<@U0LENA>")
    approve(db, legal.id)
    approve(db, privacy.id)
    assert check(db, standard, prof=v1).outcome is GateOutcome.PASSED

    v2 = profile(model_version="v2")
    changed = check(db, standard, prof=v2)
    assert kinds(changed) == {"triage": ItemKind.PROFILE_CHANGED}
    assert "model_version" in changed.blocking[0].message
    retriaged = record(db, knowledge, prof=v2)
    assert retriaged.version == 2
    report = check(db, standard, prof=v2)
    assert kinds(report) == {
        "rereview:legal": ItemKind.REREVIEW_DUE,
        "rereview:privacy-dpia": ItemKind.REREVIEW_DUE,
    }
    assert all("retrained: model_version v1 -> v2" in item.message for item in report.blocking)
    assert {a.review_type: (a.retrained_from, a.retrained_to) for a in report.approvals} == {
        "legal": ("v1", "v2"),
        "privacy-dpia": ("v1", "v2"),
    }

    day = NOW.date()
    with db.session() as session:
        due = gate.due_rereviews(session=session, standard=standard, today=day)
    assert [(d.review_type, d.cause, d.reason, d.task_id) for d in due] == [
        ("legal", gate.RereviewCause.RETRAINED, "retrained: model_version v1 -> v2", None),
        ("privacy-dpia", gate.RereviewCause.RETRAINED, "retrained: model_version v1 -> v2", None),
    ]
    assert {d.due_on for d in due} == {retriaged.created_at.date()}

    with db.session() as session:
        first = gate.file_due_rereviews(session=session, standard=standard, today=day)
    with db.session() as session:
        second = gate.file_due_rereviews(session=session, standard=standard, today=day)
    assert len(first.new_task_ids) == 2 and first.existing_task_ids == []
    assert second.new_task_ids == [] and sorted(second.existing_task_ids) == sorted(first.new_task_ids)
    with db.session() as session:
        filed = [tasks.get_task(session=session, task_id=i) for i in first.new_task_ids]
    by_type = {t.review_type: t for t in filed if t is not None}
    assert {t.assessment_version for t in by_type.values()} == {2}
    assert by_type["legal"].assignee == "<@U0LENA>"
    assert by_type["privacy-dpia"].due_date == day + timedelta(days=PRIVACY.due_days)

    still = check(db, standard, prof=v2)
    assert still.outcome is GateOutcome.BLOCKED
    assert {i.key: i.task_id for i in still.blocking} == {f"rereview:{t}": by_type[t].id for t in by_type}
    later = utc_now() + timedelta(minutes=1)
    approve(db, by_type["legal"].id, at=later)
    assert kinds(check(db, standard, prof=v2, now=later)) == {"rereview:privacy-dpia": ItemKind.REREVIEW_DUE}
    approve(db, by_type["privacy-dpia"].id, at=later)
    passed = check(db, standard, prof=v2, now=later)
    assert passed.outcome is GateOutcome.PASSED
    assert all(a.retrained_from is None for a in passed.approvals)
    with db.session() as session:
        assert gate.due_rereviews(session=session, standard=standard, today=later.date()) == []


def test_on_t1_a_retraining_with_other_changes_resets_the_reviews(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    for task in file(db, record(db, knowledge, prof=profile(model_version="v1"))):
        approve(db, task.id)
    changed = profile(model_version="v2", description="Ranks and shortlists job applicants' CVs.")
    assert record(db, knowledge, prof=changed).version == 2
    # profile_change still applies to the other fields: new reviews for the new assessment, not re-reviews.
    assert kinds(check(db, standard, prof=changed)) == {
        "review:legal": ItemKind.REVIEW_NOT_FILED,
        "review:privacy-dpia": ItemKind.REVIEW_NOT_FILED,
    }


def test_a_first_model_version_is_no_retraining_and_t2_ignores_retraining(
    db: Database, standard: TieringStandard, knowledge: KnowledgeBasis
) -> None:
    # T1: recording the version for the first time keeps the approvals (nothing was retrained).
    for task in file(db, record(db, knowledge)):
        approve(db, task.id)
    first = profile(model_version="v1")
    assert record(db, knowledge, prof=first).version == 2
    assert check(db, standard, prof=first).outcome is GateOutcome.PASSED
    # T2 lists no `retraining` trigger in the sample standard: a new model version keeps its approvals.
    t2 = high_risk_result("Claims Triage").model_copy(update={"internal_tier": "T2"})
    for task in file(db, record(db, knowledge, result=t2, prof=profile("Claims Triage", model_version="a"))):
        approve(db, task.id)
    retrained = profile("Claims Triage", model_version="b")
    assert record(db, knowledge, result=t2, prof=retrained).version == 2
    assert check(db, standard, prof=retrained).outcome is GateOutcome.PASSED
    with db.session() as session:
        assert gate.due_rereviews(session=session, standard=standard, today=NOW.date()) == []
