"""`govassist systems ...`: the inventory of AI systems, their assessments and re-triage."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.config import Settings
    from core.db import Database
    from tools.inventory import AssessmentPublic, KnowledgeBasis, RetriageOutcome, SystemDetail, TriageFn
    from tools.tasks import TaskPublic
    from tools.triage.schemas import SystemProfile, TriageResult

ACTOR_ENV = "GOVASSIST_ACTOR"
OBLIGATIONS_SHOWN = 12


def say(markup: str) -> None:
    """One line (rich markup) for people, never wrapped, so it stays whole when piped or grepped."""
    console.print(markup, soft_wrap=True, highlight=False)


def open_database(app: AppContext) -> Database:
    """The migrated database of this installation, or a one-line error."""
    from core.config import ConfigError
    from core.db import Database

    try:
        return Database.open(app.settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def database_session(app: AppContext) -> Iterator[Session]:
    """A session on this installation's database (committed when the block ends without an error); the
    database is closed afterwards either way."""
    db = open_database(app)
    try:
        with db.session() as session:
            yield session
    finally:
        db.close()


def actor_name() -> str:
    """Who is acting, for the audit log: $GOVASSIST_ACTOR, else the login name."""
    configured = os.environ.get(ACTOR_ENV, "").strip()
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def load_knowledge(settings: Settings) -> KnowledgeBasis:
    """The packs on disk now and the configured tiering standard: what retriage compares assessments with."""
    from knowledge.tiering import TieringStandardError, load_tiering_standard
    from tools.inventory import current_knowledge

    try:
        standard = load_tiering_standard(settings.tiering_standard)
    except TieringStandardError as exc:
        raise click.ClickException(str(exc)) from exc
    return current_knowledge(standard=standard)


def load_triage_fn(knowledge: KnowledgeBasis) -> TriageFn:
    """The rules engine's `triage` over exactly these packs and this tiering standard."""
    from functools import partial

    try:
        from tools.triage.engine import triage
    except ImportError as exc:
        raise click.ClickException(f"the triage engine is not available: {exc}") from exc
    return partial(triage, packs=list(knowledge.packs), standard=knowledge.standard)


@click.group()
def systems() -> None:
    """The inventory of AI systems: how each was triaged, its history, and re-triage after updates.

    \b
    Examples:
      govassist systems list
      govassist systems show "CV Screener"
      govassist systems retriage --changed
    """


@systems.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """List every system with its latest EU AI Act tier, internal tier and assessment version.

    \b
    Examples:
      govassist systems list
      govassist systems list --json
    """
    from rich.table import Table

    from tools.inventory import list_systems

    with database_session(app) as session:
        rows = list_systems(session=session)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        say("No systems in the inventory yet: triage one with 'govassist triage'.")
        return
    table = Table(box=None, header_style="bold", padding=(0, 1))
    for name in ("id", "name", "EU tier", "internal", "version", "assessed", "status"):
        if name == "name":
            table.add_column(name, min_width=16, overflow="fold")
        else:
            table.add_column(name, no_wrap=True)
    for r in rows:
        table.add_row(
            r.id,
            escape(r.name),
            r.eu_tier or "-",
            r.internal_tier or "-",
            str(r.latest_version or "-"),
            r.last_assessed_at.date().isoformat() if r.last_assessed_at else "-",
            r.status or "-",
        )
    console.print(table)
    say(f"{len(rows)} system(s).")


@systems.command()
@click.argument("name_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def show(app: AppContext, name_or_id: str, as_json: bool) -> None:
    """Show a system: its latest assessment, its history, what changed from the previous version, and
    its review tasks.

    \b
    Examples:
      govassist systems show cv-screener
      govassist systems show "CV Screener" --json
    """
    from tools.inventory import system_detail
    from tools.tasks import TaskFilters, list_tasks

    with database_session(app) as session:
        detail = system_detail(session=session, name_or_id=name_or_id)
        if detail is None:
            raise click.ClickException(
                f"no system called {name_or_id!r} in the inventory (see 'govassist systems list')"
            )
        task_rows = list_tasks(session=session, filters=TaskFilters(system=detail.system.id))
    if as_json:
        payload = detail.model_dump(mode="json")
        payload["tasks"] = [t.model_dump(mode="json") for t in task_rows]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_detail(detail, task_rows)


def _print_detail(detail: SystemDetail, task_rows: list[TaskPublic]) -> None:
    system = detail.system
    say(f"[bold]{escape(system.name)}[/bold] ({system.id})")
    say(escape(system.description))
    say(f"Owner: {escape(system.owner or '-')}")
    if detail.latest is not None:
        _print_assessment(detail.latest)
    if detail.history:
        say("\n[bold]History[/bold]")
        for h in detail.history:
            say(
                f"  v{h.version}  {h.created_at.date().isoformat()}  {escape(h.created_by)}  "
                f"EU {h.eu_tier}, internal {h.internal_tier}, {h.status}"
            )
    if detail.diff_from_previous is not None:
        diff = detail.diff_from_previous
        say(f"\n[bold]Changes from v{diff.from_version} to v{diff.to_version}[/bold]")
        for line in diff.summary_lines() or ["no change"]:
            say(f"  {escape(line)}")
    say("\n[bold]Review tasks[/bold]")
    if not task_rows:
        say("  none filed")
    for t in task_rows:
        ref = "  " + escape(f"[{t.external_ref}]") if t.external_ref else ""
        say(
            f"  #{t.id}  {t.review_type} ({t.owner_queue})  {t.status.value}  due {t.due_date.isoformat()}"
            f"  v{t.assessment_version}{ref}"
        )


def _print_assessment(latest: AssessmentPublic) -> None:
    result = latest.result
    say(
        f"\n[bold]Assessment v{latest.version}[/bold] of {latest.created_at.date().isoformat()} by "
        f"{escape(latest.created_by)} (knowledge as of {latest.knowledge_as_of.isoformat()})"
    )
    say(f"EU AI Act tier: {latest.eu_tier}; internal tier: {latest.internal_tier}; {latest.status}")
    for ground in [*result.eu_ai_act.grounds, *result.eu_ai_act.transparency]:
        say(f"  - {ground.citation}: {escape(ground.reason)}")
    for regime in result.other_regimes:
        if regime.applies:
            say(f"  Also applies: {regime.regime}")
    if result.obligations:
        say(f"Obligations ({len(result.obligations)}):")
        for o in result.obligations[:OBLIGATIONS_SHOWN]:
            when = f" (from {o.applies_from.isoformat()})" if o.applies_from else ""
            say(f"  - {o.citation} {escape(o.title)} {escape(f'[{o.owner}]')}{when}")
        if len(result.obligations) > OBLIGATIONS_SHOWN:
            say(f"  ... and {len(result.obligations) - OBLIGATIONS_SHOWN} more (--json lists them all)")
    for missing in result.missing_information:
        say(f"  ? {missing.field}: {escape(missing.question)}")


@systems.command()
@click.argument("names", nargs=-1, metavar="[NAME_OR_ID]...")
@click.option(
    "--changed",
    is_flag=True,
    help="Re-triage the systems whose cited knowledge-pack records, or whose tiering standard, changed.",
)
@click.option("--dry-run", is_flag=True, help="Only list the systems that would be re-triaged.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
@pass_app
def retriage(app: AppContext, names: tuple[str, ...], changed: bool, dry_run: bool, as_json: bool) -> None:
    """Triage systems again and report what changed; a run adds a new assessment version unless the result
    is the same as the latest one (same profile, knowledge and standard): that one is kept.

    With --changed, the systems are those whose latest assessment cites knowledge-pack records whose
    content changed since (an updated pack, an adopted amendment), or was made under a tiering standard
    that has changed since (GOVASSIST_TIERING_STANDARD edited or replaced). Otherwise name the systems.
    The acting user ($GOVASSIST_ACTOR, else your login name) is recorded in the audit log.

    \b
    Examples:
      govassist systems retriage --changed
      govassist systems retriage --changed --dry-run
      govassist systems retriage "CV Screener"
    """
    from tools.inventory import retriage as run_retriage

    if changed == bool(names):
        raise click.UsageError("give either --changed or the names of the systems to re-triage")
    knowledge = load_knowledge(app.settings)
    triage_fn = load_triage_fn(knowledge) if not dry_run else _never_called
    db = open_database(app)
    try:
        with db.session() as session:
            outcomes = run_retriage(
                session=session,
                triage_fn=triage_fn,
                actor=actor_name(),
                systems=list(names) if names else None,
                knowledge=knowledge,
                dry_run=dry_run,
            )
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps([o.model_dump(mode="json") for o in outcomes], indent=2, ensure_ascii=False))
    else:
        _print_outcomes(outcomes, dry_run=dry_run)
    if any(o.error for o in outcomes):
        raise SystemExit(1)


def _never_called(_profile: SystemProfile) -> TriageResult:
    raise AssertionError("a dry run does not triage")


def _print_outcomes(outcomes: list[RetriageOutcome], *, dry_run: bool) -> None:
    if not outcomes:
        say("No system's assessment rests on changed knowledge.")
        return
    for o in outcomes:
        reason = f"; changed records: {', '.join(o.changed_citations)}" if o.changed_citations else ""
        if dry_run:
            say(f"{escape(o.name)} ({o.system_id}): would re-triage v{o.previous_version}{reason}")
        elif o.error:
            say(f"[red]{escape(o.name)} ({o.system_id}): triage failed: {escape(o.error)}[/red]")
        elif o.new_version == o.previous_version:
            say(
                f"{escape(o.name)} ({o.system_id}): v{o.previous_version} unchanged: the same profile on the "
                f"same knowledge gives the same result{reason}"
            )
        else:
            say(f"{escape(o.name)} ({o.system_id}): v{o.previous_version} -> v{o.new_version}{reason}")
            lines = o.diff.summary_lines() if o.diff else []
            for line in lines or ["no change in the outcome"]:
                say(f"  {escape(line)}")


def _parse_within(value: str) -> int:
    """'30d', '6w' or '30' as days; a one-line usage error otherwise."""
    text = value.strip().lower()
    units = {"d": 1, "w": 7}
    factor = units.get(text[-1:], 1) if text else 1
    number = text[:-1] if text[-1:] in units else text
    if not number.isdigit():
        raise click.BadParameter(f"{value!r}: give days as '30d' (or weeks as '4w')", param_hint="--within")
    return int(number) * factor


@systems.command()
@click.option(
    "--within", default="0d", show_default=True, help="Also list re-reviews due within this, e.g. 30d."
)
@click.option(
    "--file", "file_tasks", is_flag=True, help="File each due re-review as a task (once) in its queue."
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def due(app: AppContext, within: str, file_tasks: bool, as_json: bool) -> None:
    """List the reviews due for re-review: approved reviews whose approval reaches the end of the internal
    tier's review cycle (`review_cycle_months` in the tiering standard), or, on a tier with
    `rereview_on: [retraining]`, was given for an earlier `model_version` than the latest profile names
    (due at once; the line says "retrained: model_version v1 -> v2"). With --file, each due re-review
    is filed as a task of the owning queue, once: running it again (or from two places at once) files
    nothing new and says so.

    \b
    Examples:
      govassist systems due
      govassist systems due --within 30d
      govassist systems due --within 30d --file
    """
    from tools.gate import due_rereviews, file_due_rereviews

    days = _parse_within(within)
    knowledge = load_knowledge(app.settings)
    with database_session(app) as session:
        if file_tasks:
            filing = file_due_rereviews(
                session=session, standard=knowledge.standard, within_days=days, actor=actor_name()
            )
            rows, new, existing = filing.due, filing.new_task_ids, filing.existing_task_ids
        else:
            rows = due_rereviews(session=session, standard=knowledge.standard, within_days=days)
            new, existing = [], []
    if as_json:
        payload: dict[str, object] = {"due": [r.model_dump(mode="json") for r in rows]}
        if file_tasks:
            payload |= {"new_task_ids": new, "existing_task_ids": existing}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not rows:
        say(f"No re-review due within {days} day(s).")
    for r in rows:
        state = "[red]overdue[/red]" if r.overdue else "due"
        task = f"  task #{r.task_id}" if r.task_id else "  not filed"
        say(
            f"{escape(r.system_name)} ({r.system_id}) {escape(r.name)} -> {r.owner_queue}: {state} "
            f"{r.due_on.isoformat()} (approved {r.last_approved_at.date().isoformat()}; "
            f"{escape(r.reason)}){task}"
        )
    if file_tasks:
        say(f"Filed {len(new)} new re-review task(s); {len(existing)} already open.")


@systems.command()
@click.argument("name_or_id")
@click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The zip to write.",
)
@pass_app
def export(app: AppContext, name_or_id: str, bundle_path: Path) -> None:
    """Write an evidence bundle for auditors: assessment history and diffs, tasks and decisions, waivers,
    gate runs, drafted documents and the audit-log entries, with a manifest of SHA-256 digests.

    \b
    Examples:
      govassist systems export cv-screener --bundle cv-screener-evidence.zip
    """
    from tools.bundle import BundleError, build_bundle, stored_attachments

    db = open_database(app)
    try:
        with db.session() as session:
            found = system_detail_or_none(session, name_or_id)
            manifest = build_bundle(
                session=session,
                system=name_or_id,
                out=bundle_path,
                actor=actor_name(),
                attachments=stored_attachments(session, found) if found else [],
            )
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {bundle_path}: {exc.strerror or exc}") from exc
    finally:
        db.close()
    say(f"Wrote {bundle_path}: {len(manifest.files)} file(s) and manifest.json (SHA-256 of each).")


def system_detail_or_none(session: Session, name_or_id: str) -> str | None:
    """The id of the system called `name_or_id`, if there is one."""
    from tools.inventory import get_system

    found = get_system(session=session, name_or_id=name_or_id)
    return found.id if found else None
