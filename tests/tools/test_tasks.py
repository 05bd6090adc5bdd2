"""Review tasks on SQLite and PostgreSQL: filing without duplicates (also from concurrent writers), the
status workflow, listing, and closed reviews becoming searchable past reviews."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import Database, create_db_engine
from core.models import ReviewTask
from knowledge.access import Audience
from knowledge.factory import open_index
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import SearchFilters, search
from knowledge.sections import DocumentKind, SectionLevel
from tests.tools import FAIRNESS, LEGAL, PRIVACY, TODAY, high_risk_result, limited_result, profile
from tools import audit, inventory, tasks
from tools.inventory import AssessmentPublic, KnowledgeBasis
from tools.tasks import TaskError, TaskFilters, TaskNotFoundError, TaskStatus


def record(
    db: Database, knowledge: KnowledgeBasis, name: str = "CV Screener", **kwargs: object
) -> AssessmentPublic:
    result = kwargs.pop("result", None) or high_risk_result(name)
    overrides = kwargs.pop("overrides", None) or {}
    with db.session() as session:
        return inventory.record_assessment(
            session=session,
            profile=profile(name, **overrides),  # type: ignore[arg-type]
            result=result,  # type: ignore[arg-type]
            actor="priya",
            knowledge=knowledge,
        )


def file(db: Database, assessment: AssessmentPublic, **kwargs: object) -> list[tasks.TaskPublic]:
    with db.session() as session:
        return tasks.file_review_tasks(session=session, assessment=assessment, today=TODAY, **kwargs)  # type: ignore[arg-type]


def count_tasks(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ReviewTask)) or 0)


def test_filing_creates_one_task_per_required_review_with_queue_and_due_date(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    assessment = record(db, knowledge)
    filed = file(db, assessment)
    assert [(t.review_type, t.owner_queue, t.due_date, t.status) for t in filed] == [
        ("legal", "legal", TODAY + timedelta(days=10), TaskStatus.OPEN),
        ("privacy-dpia", "privacy", TODAY + timedelta(days=15), TaskStatus.OPEN),
    ]
    assert filed[0].title == "Legal and regulatory review: CV Screener"
    assert {(t.system_id, t.assessment_id, t.assessment_version) for t in filed} == {
        ("cv-screener", assessment.id, 1)
    }
    assert all(t.assignee is None and t.external_ref is None and t.closed_at is None for t in filed)

    again = file(db, assessment)
    assert again == filed and count_tasks(db) == 2
    with db.session() as session:
        assert len(audit.list_events(session=session, action="task.filed")) == 2


def test_explicit_reviews_override_the_results_and_none_files_nothing(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    assessment = record(db, knowledge)
    assert [t.review_type for t in file(db, assessment, required_reviews=[FAIRNESS])] == ["fairness-audit"]
    assert file(db, assessment, required_reviews=[]) == []


def test_an_open_review_is_not_filed_again_for_a_newer_assessment(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    v1 = record(db, knowledge)
    first = {t.review_type: t for t in file(db, v1)}
    # A changed profile: an identical triage would return version 1 again.
    v2 = record(db, knowledge, overrides={"description": "Ranks and shortlists job applicants' CVs."})
    # Both reviews are still open from version 1: filing version 2 returns them.
    assert [t.id for t in file(db, v2)] == [first["legal"].id, first["privacy-dpia"].id]
    assert count_tasks(db) == 2

    with db.session() as session:
        tasks.update_task_status(
            session=session, task_id=first["legal"].id, actor="tomas", status="in_review"
        )
        tasks.update_task_status(
            session=session, task_id=first["legal"].id, actor="tomas", status="approved", note="Fine."
        )
    # The legal review of v1 is decided: v2 gets its own; the privacy review stays the open one of v1.
    second = {t.review_type: t for t in file(db, v2)}
    assert second["legal"].assessment_version == 2 and second["legal"].id != first["legal"].id
    assert second["privacy-dpia"].id == first["privacy-dpia"].id
    # Filing v1 again creates nothing and still answers with v1's own tasks.
    again = {t.review_type: t for t in file(db, v1)}
    assert again["legal"].id == first["legal"].id and again["legal"].status is TaskStatus.APPROVED
    assert count_tasks(db) == 3


def file_at_once(databases: list[Database], assessment: AssessmentPublic) -> list[tasks.FilingReport]:
    """Every database files the assessment's reviews at the same moment; what each filing reported."""
    barrier = threading.Barrier(len(databases))
    results: dict[int, tasks.FilingReport] = {}
    errors: list[BaseException] = []

    def work(writer: int) -> None:
        try:
            barrier.wait(timeout=30)
            with databases[writer].session() as session:
                results[writer] = tasks.file_reviews(session=session, assessment=assessment, today=TODAY)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(len(databases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return [results[w] for w in range(len(databases))]


def test_concurrent_filing_creates_no_duplicates(
    db: Database, database_url: str, knowledge: KnowledgeBasis
) -> None:
    reviews = [LEGAL, PRIVACY, FAIRNESS]
    assessments = [
        record(db, knowledge, f"System {n}", result=high_risk_result(f"System {n}", reviews=reviews))
        for n in range(3)
    ]
    # Each writer has its own engine and connections, as a separate process would.
    writers = [Database(create_db_engine(database_url)) for _ in range(4)]
    try:
        for assessment in assessments:
            reports = file_at_once(writers, assessment)
            got = [[t.id for t in r.tasks] for r in reports]
            assert all(ids == got[0] for ids in got) and len(got[0]) == len(reviews)
            # Each says what it did: together they filed each task once, the rest already existed.
            assert sorted(i for r in reports for i in r.new_ids) == sorted(got[0])
            assert all(r.new + r.existing == len(reviews) for r in reports)
            assert [r.summary() for r in reports].count("Filed 0 new review task(s); 3 already existed.") >= 1
    finally:
        for writer in writers:
            writer.close()
    assert count_tasks(db) == len(assessments) * len(reviews)
    with db.session() as session:
        assert len(audit.list_events(session=session, action="task.filed")) == len(assessments) * len(reviews)


# --- workflow ------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", list(TaskStatus))
@pytest.mark.parametrize("target", list(TaskStatus))
def test_the_transition_table(
    db: Database, knowledge: KnowledgeBasis, start: TaskStatus, target: TaskStatus
) -> None:
    [task] = file(db, record(db, knowledge), required_reviews=[LEGAL])
    path = {
        TaskStatus.OPEN: [],
        TaskStatus.IN_REVIEW: [TaskStatus.IN_REVIEW],
    }.get(start, [TaskStatus.IN_REVIEW, start])
    with db.session() as session:
        for step in path:
            tasks.update_task_status(session=session, task_id=task.id, actor="a", status=step, note="why")
    allowed = target in tasks.TRANSITIONS[start]
    with db.session() as session:
        if allowed:
            moved = tasks.update_task_status(
                session=session, task_id=task.id, actor="a", status=target, note="why"
            )
            assert moved.status is target
            assert (moved.closed_at is not None) == (target in tasks.CLOSED_STATUSES)
        else:
            with pytest.raises(TaskError) as caught:
                tasks.update_task_status(
                    session=session, task_id=task.id, actor="a", status=target, note="why"
                )
            message = str(caught.value)
            assert f"task {task.id}" in message
            if start in tasks.CLOSED_STATUSES:
                assert "decided" in message
            elif target is not start:
                assert f"cannot move from {start.value} to {target.value}" in message
                assert "allowed from" in message


def test_workflow_records_assignee_decision_and_audit_trail(db: Database, knowledge: KnowledgeBasis) -> None:
    [task] = file(db, record(db, knowledge), required_reviews=[LEGAL])
    with db.session() as session:
        with pytest.raises(
            TaskError, match="cannot move from open to approved; allowed from open: in_review"
        ):
            tasks.update_task_status(session=session, task_id=task.id, actor="a", status="approved")
        with pytest.raises(TaskError, match="unknown status 'done'"):
            tasks.update_task_status(session=session, task_id=task.id, actor="a", status="done")
        with pytest.raises(TaskNotFoundError):
            tasks.update_task_status(session=session, task_id=999_999, actor="a", status="in_review")
        with pytest.raises(TaskError, match="nothing to change"):
            tasks.update_task_status(session=session, task_id=task.id, actor="a")
        assigned = tasks.update_task_status(session=session, task_id=task.id, actor="lead", assignee="Tomás")
        assert (assigned.status, assigned.assignee) == (TaskStatus.OPEN, "Tomás")
        moved = tasks.update_task_status(session=session, task_id=task.id, actor="tomas", status="in_review")
        assert moved.assignee == "Tomás" and moved.closed_at is None
        with pytest.raises(TaskError, match="needs a note"):
            tasks.update_task_status(session=session, task_id=task.id, actor="tomas", status="rejected")
        with pytest.raises(TaskError, match="with the closing status"):
            tasks.update_task_status(
                session=session, task_id=task.id, actor="tomas", assignee="x", conditions=["c"]
            )
        closed = tasks.update_task_status(
            session=session,
            task_id=task.id,
            actor="tomas",
            status="approved",
            note="Recruiters review every rejection.",
            conditions=["Bias audit before NYC use", " "],
        )
    assert closed.status is TaskStatus.APPROVED and closed.is_closed and closed.closed_at is not None
    assert closed.conditions == ["Bias audit before NYC use"]
    assert closed.resolution_note == "Recruiters review every rejection."
    with db.session() as session:
        events = audit.list_events(session=session, subject=f"task:{task.id}")
    assert [(e.action, e.actor, e.details.get("to")) for e in events] == [
        ("task.filed", "govassist", None),
        ("task.assigned", "lead", "open"),
        ("task.status_changed", "tomas", "in_review"),
        ("task.status_changed", "tomas", "approved"),
    ]
    assert events[-1].details["note"] == "Recruiters review every rejection."
    assert events[-1].details["from"] == "in_review"


def test_listing_filters(db: Database, knowledge: KnowledgeBasis) -> None:
    cv = file(db, record(db, knowledge))
    bot = file(db, record(db, knowledge, "Support bot", result=limited_result("Support bot")))
    with db.session() as session:
        tasks.update_task_status(session=session, task_id=cv[0].id, actor="a", status="in_review")
        tasks.set_external_ref(session=session, task_id=bot[0].id, external_ref="GOV-1", actor="a")

        def ids(**filters: object) -> list[int]:
            return [t.id for t in tasks.list_tasks(session=session, filters=TaskFilters(**filters))]  # type: ignore[arg-type]

        assert ids() == [cv[0].id, bot[0].id, cv[1].id]  # soonest due first: 10, 10, 15 days
        assert ids(status="in_review") == [cv[0].id]
        assert ids(queue="privacy") == [cv[1].id]
        assert ids(system="support bot") == [bot[0].id]
        assert ids(system="no such system") == []
        assert ids(not_exported=True) == [cv[0].id, cv[1].id]
        assert ids(assessment_id=cv[0].assessment_id, open_only=True) == [cv[0].id, cv[1].id]
        assert tasks.get_task(session=session, task_id=bot[0].id).external_ref == "GOV-1"  # type: ignore[union-attr]
        assert tasks.get_task(session=session, task_id=424242) is None


def test_a_task_is_exported_once(db: Database, knowledge: KnowledgeBasis) -> None:
    [task] = file(db, record(db, knowledge), required_reviews=[LEGAL])
    with db.session() as session:
        tasks.set_external_ref(session=session, task_id=task.id, external_ref="GOV-7", actor="a")
        with pytest.raises(TaskError, match="already exported as GOV-7"):
            tasks.set_external_ref(session=session, task_id=task.id, external_ref="GOV-8", actor="a")
        with pytest.raises(TaskNotFoundError):
            tasks.set_external_ref(session=session, task_id=31337, external_ref="GOV-9", actor="a")


# --- closed reviews as past reviews --------------------------------------------------------------


def close(
    db: Database,
    task_id: int,
    status: str,
    note: str,
    index: KnowledgeIndex | None = None,
    conditions: tuple[str, ...] = (),
) -> tasks.TaskPublic:
    """Take a task through review to a decision, as the reviewer Tomás."""
    tasks.change_task_status(
        db, task_id=task_id, actor="tomas", status="in_review", assignee="Tomás Ferreira"
    )
    return tasks.change_task_status(
        db, task_id=task_id, actor="tomas", status=status, note=note, index=index, conditions=conditions
    )


def test_review_document_has_one_record_section_per_closed_review(
    db: Database, knowledge: KnowledgeBasis
) -> None:
    legal, privacy = file(db, record(db, knowledge))
    close(
        db,
        legal.id,
        "approved",
        "Recruiters review every rejection.",
        conditions=("Bias audit before NYC use",),
    )
    close(db, privacy.id, "changes_requested", "The DPIA lacks a retention period.")
    with db.session() as session:
        reviews = tasks.closed_reviews(session=session)
        system = inventory.get_system(session=session, name_or_id="cv-screener")
    assert system is not None and [r.task.id for r in reviews] == [legal.id, privacy.id]
    document = tasks.review_document(system, reviews)
    assert (document.source_id, document.kind, document.title) == (
        "reviews",
        DocumentKind.REVIEW,
        "Reviews of CV Screener",
    )
    assert [s.citation_id for s in document.sections] == [
        "reviews:cv-screener-v1-legal",
        "reviews:cv-screener-v1-privacy-dpia",
    ]
    first = document.sections[0]
    assert first.level is SectionLevel.RECORD
    assert first.title == "CV Screener: Legal and regulatory review (approved)"
    lines = first.text.splitlines()
    for expected in (
        "System: CV Screener",
        f"Date: {reviews[0].task.closed_at.date().isoformat()}",  # type: ignore[union-attr]
        "Internal tier: T1",
        "EU tier: high",
        "EU grounds: eu-ai-act:annex-iii-4-a; eu-ai-act:art-6-2",
        "Decision: approved_with_conditions",
        "Conditions: Bias audit before NYC use",
        "Rationale: Recruiters review every rejection.",
        "Reviewers: Tomás Ferreira",
    ):
        assert expected in lines, (expected, lines)
    assert "Decision: changes_requested" in document.sections[1].text.splitlines()
    assert document.as_of == reviews[-1].task.closed_at.date()  # type: ignore[union-attr]


def test_closing_a_review_makes_it_a_searchable_past_review(
    make_settings, database_url: str, knowledge: KnowledgeBasis
) -> None:  # type: ignore[no-untyped-def]
    index = open_index(make_settings(database_url=database_url))
    try:
        db = index.db
        legal, privacy = file(db, record(db, knowledge))
        # An open or in-review task is not a past review yet.
        tasks.change_task_status(db, task_id=legal.id, actor="tomas", status="in_review", index=index)
        assert [s.source_id for s in index.status()] == []

        close(
            db, legal.id, "rejected", "Automatic rejection of applicants without human review.", index=index
        )
        hits = search(
            index,
            "was the CV screener rejected for automatic rejection of applicants?",
            audience=Audience(),
            filters=SearchFilters(kinds=["review"]),
        )
        assert hits and hits[0].citation_id == "reviews:cv-screener-v1-legal"
        assert hits[0].kind == "review" and "Decision: rejected" in hits[0].text
        [status] = index.status()
        assert (status.key, status.source_id, status.kind, status.sections) == (
            "inventory-reviews:cv-screener",
            "reviews",
            "review",
            1,
        )

        close(db, privacy.id, "approved", "DPIA complete.", index=index)
        assert index.status()[0].sections == 2
        with db.session() as session:
            again = tasks.sync_past_reviews(index, session)
        assert [o.status for o in again] == ["unchanged"]
        # The whole index sees it too, not only the review filter.
        general = search(index, "CV Screener privacy review DPIA complete", audience=Audience(), k=3)
        assert "reviews:cv-screener-v1-privacy-dpia" in [h.citation_id for h in general]
    finally:
        index.db.close()
