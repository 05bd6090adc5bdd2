"""Export review tasks to issue trackers (Jira, GitHub Issues) through their REST APIs.

The exporters turn each task into an issue, post it, and hand the tracker's reference (a Jira key, a
GitHub `owner/repo#number`) to a `RefStore` right away, so a task is never exported twice: tasks that
already carry an external reference are skipped, and an export that fails half-way leaves the tasks it
did create recorded. `database_ref_store` is the store the CLI uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel, Field

from tools.tasks import TaskPublic, set_external_ref

if TYPE_CHECKING:
    from core.db import Database

RefStore = Callable[[int, str], None]
CreateIssue = Callable[["IssueDraft"], str]

TIMEOUT_SECONDS = 30.0
# Answers that mean the whole export is misconfigured (credentials, permissions, project, URL).
FATAL_STATUS_CODES = frozenset({401, 403, 404})


class ExportError(Exception):
    """The tracker refused an issue or could not be reached; the message says which and why."""

    def __init__(self, message: str, *, status_code: int | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.fatal = fatal


class ExportStatus(StrEnum):
    """What happened to one task."""

    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


class ExportResult(BaseModel):
    """One task's export."""

    task_id: int
    status: ExportStatus
    external_ref: str | None = None
    error: str | None = None


class ExportReport(BaseModel):
    """Everything one export run did."""

    target: str = Field(description="'jira' or 'github'.")
    results: list[ExportResult]

    def count(self, status: ExportStatus) -> int:
        """How many tasks ended with `status`."""
        return sum(1 for r in self.results if r.status is status)

    @property
    def failed(self) -> bool:
        """Whether any task failed."""
        return self.count(ExportStatus.FAILED) > 0


class IssueDraft(BaseModel):
    """What any tracker's issue is made of."""

    title: str
    body: str
    labels: list[str]
    due_date: str = Field(description="YYYY-MM-DD.")


def issue_draft(task: TaskPublic) -> IssueDraft:
    """The issue for a review task: its title, a plain-text body, and labels without spaces."""
    body = "\n".join(
        [
            f"Review required by the tiering standard for {task.system_name} "
            f"(assessment version {task.assessment_version}).",
            "",
            f"System: {task.system_name} ({task.system_id})",
            f"Review: {task.review_type}",
            f"Owner queue: {task.owner_queue}",
            f"Due: {task.due_date.isoformat()}",
            f"Status: {task.status.value}",
            f"govassist task: {task.id} (govassist tasks show {task.id})",
        ]
    )
    return IssueDraft(
        title=task.title,
        body=body,
        labels=["govassist", f"review-{task.review_type}", f"queue-{task.owner_queue}"],
        due_date=task.due_date.isoformat(),
    )


def run_export(
    tasks: Iterable[TaskPublic], *, target: str, create: CreateIssue, store: RefStore
) -> ExportReport:
    """Create an issue per task not yet exported and store each reference as soon as it exists.

    A refused issue is reported on its task and the others go on, unless the answer says the whole
    export is misconfigured (authentication, permission, unknown project or repository): then the
    remaining tasks are reported as not attempted.
    """
    results: list[ExportResult] = []
    stop: str | None = None
    for task in tasks:
        if task.external_ref:
            results.append(
                ExportResult(task_id=task.id, status=ExportStatus.SKIPPED, external_ref=task.external_ref)
            )
            continue
        if stop is not None:
            results.append(
                ExportResult(task_id=task.id, status=ExportStatus.FAILED, error=f"not attempted: {stop}")
            )
            continue
        try:
            ref = create(issue_draft(task))
        except ExportError as exc:
            results.append(ExportResult(task_id=task.id, status=ExportStatus.FAILED, error=str(exc)))
            if exc.fatal:
                stop = str(exc)
            continue
        store(task.id, ref)
        results.append(ExportResult(task_id=task.id, status=ExportStatus.CREATED, external_ref=ref))
    return ExportReport(target=target, results=results)


def database_ref_store(db: Database, *, actor: str) -> RefStore:
    """A RefStore that commits each reference (and its audit event) in its own transaction."""

    def store(task_id: int, external_ref: str) -> None:
        with db.session() as session:
            set_external_ref(session=session, task_id=task_id, external_ref=external_ref, actor=actor)

    return store


def post_json(client: httpx.Client, url: str, payload: dict[str, Any], *, tracker: str) -> dict[str, Any]:
    """POST `payload` and return the JSON object of a 201 answer; ExportError with the tracker's own
    explanation for anything else."""
    try:
        response = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        raise ExportError(f"{tracker} at {url} cannot be reached: {exc}", fatal=True) from exc
    if response.status_code != 201:
        raise ExportError(
            f"{tracker} answered {response.status_code} {response.reason_phrase}: {error_detail(response)}",
            status_code=response.status_code,
            fatal=response.status_code in FATAL_STATUS_CODES,
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise ExportError(f"{tracker} answered 201 without a JSON body") from exc
    if not isinstance(data, dict):
        raise ExportError(f"{tracker} answered 201 with {type(data).__name__}, not an object")
    return data


def error_detail(response: httpx.Response) -> str:
    """The explanation in an error answer: Jira's `errorMessages`/`errors`, GitHub's `message`/`errors`."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or "no details given"
    if not isinstance(data, dict):
        return str(data)[:300]
    parts: list[str] = []
    if data.get("message"):
        parts.append(str(data["message"]))
    parts += [str(m) for m in data.get("errorMessages") or []]
    errors = data.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                described = item.get("message") or " ".join(
                    f"{key}={item[key]}" for key in ("resource", "field", "code") if key in item
                )
                parts.append(str(described))
            else:
                parts.append(str(item))
    return "; ".join(parts) or "no details given"


__all__ = [
    "ExportError",
    "ExportReport",
    "ExportResult",
    "ExportStatus",
    "IssueDraft",
    "RefStore",
    "database_ref_store",
    "error_detail",
    "issue_draft",
    "post_json",
    "run_export",
]
