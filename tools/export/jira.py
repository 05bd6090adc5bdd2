"""Jira: one issue per review task through the REST API v2 (`POST /rest/api/2/issue`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from tools.export import (
    TIMEOUT_SECONDS,
    ExportError,
    ExportReport,
    IssueDraft,
    RefStore,
    post_json,
    run_export,
)
from tools.tasks import TaskPublic

ISSUE_PATH = "/rest/api/2/issue"


def jira_fields(draft: IssueDraft, *, project_key: str, issue_type: str = "Task") -> dict[str, Any]:
    """The JSON body Jira's create-issue endpoint expects."""
    return {
        "fields": {
            "project": {"key": project_key},
            "summary": draft.title,
            "description": draft.body,
            "issuetype": {"name": issue_type},
            "duedate": draft.due_date,
            "labels": draft.labels,
        }
    }


def export_jira(
    tasks: Iterable[TaskPublic],
    *,
    base_url: str,
    project_key: str,
    auth: tuple[str, str],
    store: RefStore,
    issue_type: str = "Task",
) -> ExportReport:
    """Create a Jira issue in `project_key` for each task without an external reference and store the
    new issue's key (e.g. 'GOV-12') through `store`.

    `base_url` is the site (https://example.atlassian.net); `auth` is (user e-mail, API token), sent as
    HTTP basic authentication.
    """
    url = base_url.rstrip("/") + ISSUE_PATH
    with httpx.Client(auth=httpx.BasicAuth(*auth), timeout=TIMEOUT_SECONDS) as client:

        def create(draft: IssueDraft) -> str:
            data = post_json(
                client,
                url,
                jira_fields(draft, project_key=project_key, issue_type=issue_type),
                tracker="Jira",
            )
            key = data.get("key")
            if not isinstance(key, str) or not key:
                raise ExportError("Jira answered 201 without an issue key")
            return key

        return run_export(tasks, target="jira", create=create, store=store)
