"""Exporting review tasks to Jira and GitHub Issues, against a local server speaking their REST formats."""

from __future__ import annotations

import pytest

from core.db import Database
from tests.tools import (
    GITHUB_REPO,
    GITHUB_TOKEN,
    JIRA_TOKEN,
    JIRA_USER,
    LEGAL,
    PRIVACY,
    TODAY,
    fake_tracker,
    github_responder,
    high_risk_result,
    jira_responder,
    profile,
)
from tools import audit, inventory, tasks
from tools.export import ExportStatus, database_ref_store, issue_draft
from tools.export.github import export_github
from tools.export.jira import export_jira
from tools.inventory import KnowledgeBasis
from tools.tasks import TaskFilters, TaskPublic


@pytest.fixture
def filed(db: Database, knowledge: KnowledgeBasis) -> list[TaskPublic]:
    with db.session() as session:
        assessment = inventory.record_assessment(
            session=session,
            profile=profile(),
            result=high_risk_result(reviews=[LEGAL, PRIVACY]),
            actor="priya",
            knowledge=knowledge,
        )
        return tasks.file_review_tasks(session=session, assessment=assessment, today=TODAY)


def current(db: Database) -> list[TaskPublic]:
    with db.session() as session:
        return tasks.list_tasks(session=session, filters=TaskFilters())


def test_issue_draft_carries_what_a_reviewer_needs(filed: list[TaskPublic]) -> None:
    draft = issue_draft(filed[0])
    assert draft.title == "Legal and regulatory review: CV Screener"
    assert draft.labels == ["govassist", "review-legal", "queue-legal"]
    assert draft.due_date == "2026-12-04"
    assert "System: CV Screener (cv-screener)" in draft.body.splitlines()
    assert f"govassist task: {filed[0].id} (govassist tasks show {filed[0].id})" in draft.body.splitlines()


def test_jira_export_posts_real_issue_bodies_and_stores_the_keys(
    db: Database, filed: list[TaskPublic]
) -> None:
    store = database_ref_store(db, actor="priya")
    with fake_tracker(jira_responder()) as jira:
        report = export_jira(
            current(db), base_url=jira.url + "/", project_key="GOV", auth=(JIRA_USER, JIRA_TOKEN), store=store
        )
        assert [(r.task_id, r.status, r.external_ref) for r in report.results] == [
            (filed[0].id, ExportStatus.CREATED, "GOV-1"),
            (filed[1].id, ExportStatus.CREATED, "GOV-2"),
        ]
        assert not report.failed and report.count(ExportStatus.CREATED) == 2
        assert [r.method for r in jira.requests] == ["POST", "POST"]
        fields = jira.requests[0].body["fields"]
        assert fields["project"] == {"key": "GOV"} and fields["issuetype"] == {"name": "Task"}
        assert fields["summary"] == "Legal and regulatory review: CV Screener"
        assert (
            fields["duedate"] == "2026-12-04" and jira.requests[1].body["fields"]["duedate"] == "2026-12-09"
        )
        assert fields["labels"] == ["govassist", "review-legal", "queue-legal"]
        assert "Owner queue: legal" in fields["description"]

        # Idempotent: exported tasks are skipped and nothing more is posted.
        again = export_jira(
            current(db), base_url=jira.url, project_key="GOV", auth=(JIRA_USER, JIRA_TOKEN), store=store
        )
        assert [r.status for r in again.results] == [ExportStatus.SKIPPED, ExportStatus.SKIPPED]
        assert len(jira.requests) == 2
    assert [t.external_ref for t in current(db)] == ["GOV-1", "GOV-2"]
    with db.session() as session:
        events = audit.list_events(session=session, action="task.exported")
    assert [(e.subject, e.details["external_ref"]) for e in events] == [
        (f"task:{filed[0].id}", "GOV-1"),
        (f"task:{filed[1].id}", "GOV-2"),
    ]


def test_jira_refusal_is_reported_clearly_and_leaves_no_reference(
    db: Database, filed: list[TaskPublic]
) -> None:
    refusal = (400, {"errorMessages": [], "errors": {"duedate": "Field 'duedate' cannot be set."}})
    with fake_tracker(jira_responder(fail_with=refusal)) as jira:
        report = export_jira(
            current(db),
            base_url=jira.url,
            project_key="GOV",
            auth=(JIRA_USER, JIRA_TOKEN),
            store=database_ref_store(db, actor="priya"),
        )
    assert report.failed and len(jira.requests) == 2  # a refused issue does not stop the others
    assert [r.status for r in report.results] == [ExportStatus.FAILED, ExportStatus.FAILED]
    assert report.results[0].error == "Jira answered 400 Bad Request: duedate: Field 'duedate' cannot be set."
    assert [t.external_ref for t in current(db)] == [None, None]


def test_bad_credentials_stop_the_export(db: Database, filed: list[TaskPublic]) -> None:
    with fake_tracker(jira_responder()) as jira:
        report = export_jira(
            current(db),
            base_url=jira.url,
            project_key="GOV",
            auth=(JIRA_USER, "wrong-token"),
            store=database_ref_store(db, actor="priya"),
        )
    # The fake Jira refuses the wrong token (as a 400 naming the header); a 401 stops the run:
    assert report.results[0].error and "authorization" in report.results[0].error
    with fake_tracker(jira_responder(fail_with=(401, {"errorMessages": ["Not authenticated"]}))) as jira:
        report = export_jira(
            current(db),
            base_url=jira.url,
            project_key="GOV",
            auth=(JIRA_USER, JIRA_TOKEN),
            store=database_ref_store(db, actor="priya"),
        )
        assert len(jira.requests) == 1
    assert report.results[0].error == "Jira answered 401 Unauthorized: Not authenticated"
    assert report.results[1].error == "not attempted: Jira answered 401 Unauthorized: Not authenticated"
    assert [t.external_ref for t in current(db)] == [None, None]


def test_unreachable_tracker_is_reported(db: Database, filed: list[TaskPublic]) -> None:
    with fake_tracker(jira_responder()) as jira:
        url = jira.url  # the server is gone after the block: nothing listens there any more
    report = export_jira(
        current(db), base_url=url, project_key="GOV", auth=(JIRA_USER, JIRA_TOKEN), store=lambda _i, _r: None
    )
    assert report.failed and "cannot be reached" in (report.results[0].error or "")
    assert (report.results[1].error or "").startswith("not attempted:")


def test_github_export_posts_issues_and_stores_repo_and_number(db: Database, filed: list[TaskPublic]) -> None:
    store = database_ref_store(db, actor="priya")
    with fake_tracker(github_responder()) as github:
        report = export_github(
            current(db), api_url=github.url, repo=GITHUB_REPO, token=GITHUB_TOKEN, store=store
        )
        assert [r.external_ref for r in report.results] == [f"{GITHUB_REPO}#1", f"{GITHUB_REPO}#2"]
        body = github.requests[0].body
        assert body["title"] == "Legal and regulatory review: CV Screener"
        assert body["labels"] == ["govassist", "review-legal", "queue-legal"]
        assert "Due: 2026-12-04" in body["body"]
        assert github.requests[0].headers["x-github-api-version"] == "2022-11-28"
        again = export_github(
            current(db), api_url=github.url, repo=GITHUB_REPO, token=GITHUB_TOKEN, store=store
        )
        assert {r.status for r in again.results} == {ExportStatus.SKIPPED} and len(github.requests) == 2
    assert [t.external_ref for t in current(db)] == [f"{GITHUB_REPO}#1", f"{GITHUB_REPO}#2"]


def test_github_validation_error_is_reported_and_leaves_no_reference(
    db: Database, filed: list[TaskPublic]
) -> None:
    refusal = (
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": "Issue", "code": "invalid", "field": "labels"}],
            "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        },
    )
    with fake_tracker(github_responder(fail_with=refusal)) as github:
        report = export_github(
            current(db),
            api_url=github.url,
            repo=GITHUB_REPO,
            token=GITHUB_TOKEN,
            store=database_ref_store(db, actor="priya"),
        )
    assert report.results[0].error == (
        "GitHub answered 422 Unprocessable Entity: Validation Failed; "
        "resource=Issue field=labels code=invalid"
    )
    assert [t.external_ref for t in current(db)] == [None, None]


def test_github_repo_must_be_owner_slash_name() -> None:
    with pytest.raises(ValueError, match="owner/name"):
        export_github([], repo="just-a-name", token="t", store=lambda _i, _r: None)
