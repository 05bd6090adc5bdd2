"""`govassist tasks ...`: review tasks filed from assessments, their workflow, and export to trackers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console
from integrations.cli.systems import actor_name, database_session, open_database, say

if TYPE_CHECKING:
    from collections.abc import Callable

    from tools.export import ExportReport, RefStore
    from tools.tasks import TaskFilters, TaskPublic

STATUSES = ["open", "in_review", "approved", "rejected", "changes_requested"]
CLOSING = {"approved", "rejected", "changes_requested"}


@click.group()
def tasks() -> None:
    """Review tasks: the reviews an assessment's tier requires, routed to owner queues.

    Workflow: open -> in_review -> approved | rejected | changes_requested. A decided review becomes
    a past review in the knowledge index, so later questions and triages find it.

    \b
    Examples:
      govassist tasks list --queue legal
      govassist tasks update 12 --status in_review --assignee "Tomás Ferreira"
      govassist tasks export jira --project GOV
    """


@tasks.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only tasks in this status.")
@click.option("--queue", help="Only tasks of this owner queue (legal, privacy, fairness...).")
@click.option("--system", help="Only tasks of this system (id or name).")
@click.option("--open", "open_only", is_flag=True, help="Only tasks not decided yet.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def list_command(
    app: AppContext, status: str | None, queue: str | None, system: str | None, open_only: bool, as_json: bool
) -> None:
    """List review tasks, soonest due first.

    \b
    Examples:
      govassist tasks list
      govassist tasks list --status open --queue privacy
      govassist tasks list --system "CV Screener" --json
    """
    from rich.table import Table

    from tools.tasks import TaskFilters, TaskStatus, list_tasks

    filters = TaskFilters(
        status=TaskStatus(status) if status else None, queue=queue, system=system, open_only=open_only
    )
    with database_session(app) as session:
        rows = list_tasks(session=session, filters=filters)
    if as_json:
        click.echo(json.dumps([t.model_dump(mode="json") for t in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        say("No review tasks match.")
        return
    table = Table(box=None, header_style="bold", padding=(0, 1))
    for name in ("id", "system", "review", "queue", "status", "due", "assignee", "ref"):
        if name in {"system", "assignee"}:
            table.add_column(name, min_width=12, overflow="fold")
        else:
            table.add_column(name, no_wrap=True)
    for t in rows:
        table.add_row(
            str(t.id),
            escape(t.system_name),
            t.review_type,
            t.owner_queue,
            t.status.value,
            t.due_date.isoformat(),
            escape(t.assignee or "-"),
            escape(t.external_ref or "-"),
        )
    console.print(table)
    say(f"{len(rows)} task(s).")


@tasks.command()
@click.argument("task_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def show(app: AppContext, task_id: int, as_json: bool) -> None:
    """Show one review task.

    \b
    Examples:
      govassist tasks show 12
    """
    from tools.tasks import get_task

    with database_session(app) as session:
        task = get_task(session=session, task_id=task_id)
    if task is None:
        raise click.ClickException(f"no review task {task_id} (see 'govassist tasks list')")
    if as_json:
        click.echo(json.dumps(task.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _print_task(task)


def _print_task(task: TaskPublic) -> None:
    say(f"[bold]#{task.id} {escape(task.title)}[/bold]")
    lines = [
        ("System", f"{task.system_name} ({task.system_id}), assessment v{task.assessment_version}"),
        ("Review", task.review_type),
        ("Queue", task.owner_queue),
        ("Status", task.status.value),
        ("Assignee", task.assignee or "-"),
        ("Due", task.due_date.isoformat()),
        ("Filed", task.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Decided", task.closed_at.strftime("%Y-%m-%d %H:%M UTC") if task.closed_at else "-"),
        ("Note", task.resolution_note or "-"),
        ("Conditions", "; ".join(task.conditions) or "-"),
        ("Exported as", task.external_ref or "-"),
    ]
    for label, value in lines:
        say(f"{label + ':':<13}{escape(value)}")


@tasks.command()
@click.argument("task_id", metavar="ID", type=int)
@click.option("--status", type=click.Choice(STATUSES), help="The new status.")
@click.option("--assignee", help="Who reviews it ('' to unassign).")
@click.option("--note", help="Why: required to reject or to request changes; kept as the rationale.")
@click.option("--condition", "conditions", multiple=True, help="A condition of the decision (repeatable).")
@pass_app
def update(
    app: AppContext,
    task_id: int,
    status: str | None,
    assignee: str | None,
    note: str | None,
    conditions: tuple[str, ...],
) -> None:
    """Move a task along its workflow and/or assign it; the change goes to the audit log under
    $GOVASSIST_ACTOR (else your login name).

    Deciding a review (approved, rejected, changes_requested) also indexes it as a past review.

    \b
    Examples:
      govassist tasks update 12 --status in_review --assignee "Tomás Ferreira"
      govassist tasks update 12 --status approved --note "Human review of every rejection" \\
          --condition "Bias audit before use for NYC roles"
      govassist tasks update 12 --status changes_requested --note "The DPIA lacks a retention period"
    """
    from tools.tasks import TaskError, TaskNotFoundError, change_task_status

    if status is None and assignee is None:
        raise click.UsageError("give --status and/or --assignee")
    # Only a decision needs the knowledge index, which is slower to open than the database.
    index = app.assistant().index if status in CLOSING else None
    db = index.db if index is not None else open_database(app)
    try:
        task = change_task_status(
            db,
            task_id=task_id,
            actor=actor_name(),
            index=index,
            status=status,
            assignee=assignee,
            note=note,
            conditions=conditions,
        )
    except (TaskError, TaskNotFoundError) as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    finally:
        if index is None:
            db.close()
    who = f", assigned to {escape(task.assignee)}" if task.assignee else ""
    say(f"Task #{task.id} ({task.review_type}, {escape(task.system_name)}) is {task.status.value}{who}.")
    if task.is_closed:
        say(f"Indexed as past review reviews:{task.system_id}-v{task.assessment_version}-{task.review_type}.")


@tasks.group()
def export() -> None:
    """Create issues for review tasks in Jira or GitHub Issues (each task once)."""


def _export_filters(queue: str | None, system: str | None) -> TaskFilters:
    from tools.tasks import TaskFilters

    return TaskFilters(queue=queue, system=system, open_only=True)


@export.command()
@click.option(
    "--url",
    envvar="GOVASSIST_JIRA_URL",
    help="Jira site, e.g. https://acme.atlassian.net [env GOVASSIST_JIRA_URL].",
)
@click.option(
    "--project", envvar="GOVASSIST_JIRA_PROJECT", help="Project key, e.g. GOV [env GOVASSIST_JIRA_PROJECT]."
)
@click.option(
    "--user",
    envvar="JIRA_USER",
    help="Account e-mail [env JIRA_USER]; the API token is read from JIRA_API_TOKEN.",
)
@click.option("--queue", help="Only tasks of this owner queue.")
@click.option("--system", help="Only tasks of this system (id or name).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def jira(
    app: AppContext,
    url: str | None,
    project: str | None,
    user: str | None,
    queue: str | None,
    system: str | None,
    as_json: bool,
) -> None:
    """Create a Jira issue (type Task, with due date and labels) for every undecided task not exported yet,
    and remember its key.

    \b
    Examples:
      export JIRA_USER=you@example.com JIRA_API_TOKEN=...
      govassist tasks export jira --url https://acme.atlassian.net --project GOV
      govassist tasks export jira --project GOV --queue legal
    """
    import os

    from tools.export.jira import export_jira

    token = os.environ.get("JIRA_API_TOKEN", "")
    missing = [
        name
        for name, value in (
            ("--url or GOVASSIST_JIRA_URL", url),
            ("--project", project),
            ("--user or JIRA_USER", user),
            ("JIRA_API_TOKEN", token),
        )
        if not value
    ]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}")
    assert url and project and user
    _run_export(
        app,
        _export_filters(queue, system),
        lambda rows, store: export_jira(
            rows, base_url=url, project_key=project, auth=(user, token), store=store
        ),
        as_json=as_json,
    )


@export.command()
@click.option("--repo", envvar="GOVASSIST_GITHUB_REPO", help="owner/name [env GOVASSIST_GITHUB_REPO].")
@click.option(
    "--api-url",
    envvar="GOVASSIST_GITHUB_API_URL",
    default="https://api.github.com",
    show_default=True,
    help="REST API root; https://HOST/api/v3 for GitHub Enterprise Server [env GOVASSIST_GITHUB_API_URL].",
)
@click.option("--queue", help="Only tasks of this owner queue.")
@click.option("--system", help="Only tasks of this system (id or name).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def github(
    app: AppContext, repo: str | None, api_url: str, queue: str | None, system: str | None, as_json: bool
) -> None:
    """Create a GitHub issue (with labels) for every undecided task not exported yet, and remember its
    number. The token is read from GITHUB_TOKEN.

    \b
    Examples:
      export GITHUB_TOKEN=...
      govassist tasks export github --repo acme/ai-governance
    """
    import os

    from tools.export.github import export_github

    token = os.environ.get("GITHUB_TOKEN", "")
    missing = [
        name
        for name, value in (("--repo or GOVASSIST_GITHUB_REPO", repo), ("GITHUB_TOKEN", token))
        if not value
    ]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}")
    assert repo
    _run_export(
        app,
        _export_filters(queue, system),
        lambda rows, store: export_github(rows, repo=repo, token=token, store=store, api_url=api_url),
        as_json=as_json,
    )


def _run_export(
    app: AppContext,
    filters: TaskFilters,
    run: Callable[[list[TaskPublic], RefStore], ExportReport],
    *,
    as_json: bool,
) -> None:
    """List the tasks, export them (storing each reference as it is made) and report; exit 1 on failure."""
    from tools.export import ExportStatus, database_ref_store
    from tools.tasks import list_tasks

    db = open_database(app)
    try:
        with db.session() as session:
            rows = list_tasks(session=session, filters=filters)
        try:
            report = run(rows, database_ref_store(db, actor=actor_name()))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    finally:
        db.close()
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        for r in report.results:
            if r.status is ExportStatus.CREATED:
                say(f"Task #{r.task_id} -> {escape(r.external_ref or '')}")
            elif r.status is ExportStatus.FAILED:
                say(f"[red]Task #{r.task_id} not exported: {escape(r.error or '')}[/red]")
        say(
            f"{report.count(ExportStatus.CREATED)} created, {report.count(ExportStatus.SKIPPED)} already "
            f"exported, {report.count(ExportStatus.FAILED)} failed."
        )
    if report.failed:
        raise SystemExit(1)
