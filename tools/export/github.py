"""GitHub Issues: one issue per review task through the REST API (`POST /repos/{owner}/{repo}/issues`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

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

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def export_github(
    tasks: Iterable[TaskPublic],
    *,
    repo: str,
    token: str,
    store: RefStore,
    api_url: str = DEFAULT_API_URL,
) -> ExportReport:
    """Create a GitHub issue in `repo` ('owner/name') for each task without an external reference and
    store `owner/name#<number>` through `store`. `api_url` is https://api.github.com, or
    https://<host>/api/v3 for GitHub Enterprise Server."""
    if not _REPO.match(repo):
        raise ValueError(f"repository {repo!r} should look like 'owner/name'")
    url = f"{api_url.rstrip('/')}/repos/{repo}/issues"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }
    with httpx.Client(headers=headers, timeout=TIMEOUT_SECONDS) as client:

        def create(draft: IssueDraft) -> str:
            # GitHub issues have no due date: it is in the body.
            payload = {"title": draft.title, "body": draft.body, "labels": draft.labels}
            data = post_json(client, url, payload, tracker="GitHub")
            number = data.get("number")
            if not isinstance(number, int):
                raise ExportError("GitHub answered 201 without an issue number")
            return f"{repo}#{number}"

        return run_export(tasks, target="github", create=create, store=store)
