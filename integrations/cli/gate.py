"""`govassist gate ...`: the launch gate for CI, and the RAI team's waivers.

Exit codes of `gate check`: 0 passed (also on waivers, with a warning), 1 blocked, 2 usage error (bad
arguments, an unreadable or invalid profile, an unknown system id, an invalid tiering standard),
3 the database cannot be reached.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import click

from integrations.cli.context import AppContext, pass_app

if TYPE_CHECKING:
    from core.db import Database
    from knowledge.tiering import TieringStandard
    from tools.gate import GateReport

EXIT_PASSED = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3


class GateUsageError(click.ClickException):
    """A one-line error that exits with the usage code, never with 'blocked'."""

    exit_code = EXIT_USAGE


class DatabaseUnreachable(click.ClickException):
    """The database cannot be reached: exit 3, so CI can tell an outage from a blocked launch."""

    exit_code = EXIT_DATABASE


def _open_database(app: AppContext) -> Database:
    from core.config import ConfigError
    from core.db import Database

    try:
        return Database.open(app.settings)
    except ConfigError as exc:
        raise DatabaseUnreachable(str(exc).splitlines()[0]) from exc


def _standard(app: AppContext) -> TieringStandard:
    from knowledge.tiering import TieringStandardError, load_tiering_standard

    try:
        return load_tiering_standard(app.settings.tiering_standard)
    except TieringStandardError as exc:
        raise GateUsageError(str(exc)) from exc


@click.group()
def gate() -> None:
    """The launch gate: may this system launch? For CI, with waivers granted by the RAI team.

    \b
    Exit codes of 'gate check': 0 passed, 1 blocked, 2 usage error, 3 database unreachable.
    Examples:
      govassist gate check ai-system.yaml
      govassist gate check cv-screener --json
      govassist gate check ai-system.yaml --format github --junit gate.xml
      govassist gate waive cv-screener --item review:fairness-audit --days 14 --reason "..."
    """


@gate.command("check")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: Actions annotations (::error/::warning) and a Markdown job summary in "
    "$GITHUB_STEP_SUMMARY.",
)
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as JUnit XML to this file (one test case per check).",
)
@pass_app
def check(app: AppContext, target: str, as_json: bool, fmt: str, junit: Path | None) -> None:
    """Check whether TARGET may launch: a profile file (ai-system.yaml, as 'triage --input' reads) or a
    system id or name. Passes only when the latest assessment was made from this profile, the tier is not
    prohibited, and every review the internal tier requires is approved and not past its re-review date.
    Every run is recorded in the audit log.

    \b
    Exit codes: 0 passed (also on waivers, with a warning), 1 blocked, 2 usage error,
    3 the database cannot be reached.
    Examples:
      govassist gate check ai-system.yaml
      govassist gate check cv-screener --json
      govassist gate check ai-system.yaml --format github --junit gate-results.xml
    """
    from sqlalchemy.exc import OperationalError

    from integrations.cli.systems import actor_name
    from tools.gate import GateError, evaluate_gate, record_gate_run

    try:
        app.settings  # noqa: B018 - an invalid configuration is a usage error here, not "blocked"
    except click.ClickException as exc:
        raise GateUsageError(exc.message) from exc
    profile = None
    path = Path(target)
    if target.endswith((".yaml", ".yml", ".json")) or path.is_file():
        from integrations.cli.triage import load_profile_file

        if not path.is_file():
            raise GateUsageError(f"profile file {target} does not exist")
        try:
            profile = load_profile_file(path)
        except click.ClickException as exc:
            raise GateUsageError(exc.message) from exc
    standard = _standard(app)
    db = _open_database(app)
    try:
        with db.session() as session:
            report = evaluate_gate(
                session=session,
                target=target,
                standard=standard,
                profile=profile,
                system=None if profile is not None else target,
            )
            report = record_gate_run(session=session, report=report, actor=actor_name())
    except GateError as exc:
        raise GateUsageError(str(exc)) from exc
    except OperationalError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise DatabaseUnreachable(f"database: {reason}") from exc
    finally:
        db.close()
    if junit is not None:
        try:
            junit.parent.mkdir(parents=True, exist_ok=True)
            junit.write_text(junit_xml(report), encoding="utf-8")
        except OSError as exc:
            raise GateUsageError(f"cannot write {junit}: {exc.strerror or exc}") from exc
    if as_json:
        click.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    elif fmt == "github":
        # The job summary first: it must be written even when the reader of stdout goes away early.
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            try:
                with open(summary, "a", encoding="utf-8") as handle:
                    handle.write(markdown_summary(report))
            except OSError as exc:
                raise GateUsageError(
                    f"cannot write $GITHUB_STEP_SUMMARY {summary}: {exc.strerror or exc}"
                ) from exc
        for line in github_annotations(report):
            click.echo(line)
        click.echo(text_report(report))
    else:
        click.echo(text_report(report))
    raise SystemExit(EXIT_PASSED if report.passed else EXIT_BLOCKED)


def text_report(report: GateReport) -> str:
    """The report for people."""
    head = report.system_name or report.target
    version = f" v{report.assessment_version}" if report.assessment_version else ""
    tiers = f" (EU tier {report.eu_tier}, internal tier {report.internal_tier})" if report.eu_tier else ""
    verdict = {
        "passed": "PASSED",
        "passed_with_waivers": "PASSED WITH WAIVERS",
        "blocked": "BLOCKED",
    }[report.outcome.value]
    lines = [f"Launch gate for {head}{version}{tiers}: {verdict}"]
    if report.blocking:
        lines.append(f"Missing ({len(report.blocking)}):")
        for item in report.blocking:
            lines.append(f"  x [{item.key}] {item.message}")
            lines.append(f"      owner: {item.owner}")
            lines.append(f"      resolve: {item.resolution}")
    for waived in report.waived:
        lines.append(
            f"  ! WAIVED [{waived.item.key}] {waived.item.message}: waiver #{waived.waiver.id} by "
            f"{waived.waiver.granted_by} until {waived.waiver.expires_at.date().isoformat()} "
            f"({waived.waiver.reason})"
        )
    for approval in report.approvals:
        conditions = "; ".join(approval.conditions) or "none"
        due = f", re-review by {approval.rereview_due.isoformat()}" if approval.rereview_due else ""
        lines.append(
            f"  ok {approval.name}: approved {approval.approved_at.date().isoformat()} "
            f"(task #{approval.task_id})"
            f"; conditions: {conditions}{due}"
        )
    if report.run_id:
        lines.append(f"Gate run #{report.run_id} recorded in the audit log.")
    return "\n".join(lines)


def _annotation_text(text: str) -> str:
    # Workflow commands end at a newline; '%' must be escaped first.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_annotations(report: GateReport) -> list[str]:
    """GitHub Actions workflow commands: one ::error per missing item, one ::warning per waiver."""
    lines = []
    for item in report.blocking:
        lines.append(
            f"::error title=Launch gate: {item.key}::"
            + _annotation_text(f"{item.message}. Owner: {item.owner}. Resolve: {item.resolution}")
        )
    for waived in report.waived:
        lines.append(
            f"::warning title=Launch gate waiver: {waived.item.key}::"
            + _annotation_text(
                f"{waived.item.message}. Waived by {waived.waiver.granted_by} until "
                f"{waived.waiver.expires_at.date().isoformat()}: {waived.waiver.reason}"
            )
        )
    return lines


def markdown_summary(report: GateReport) -> str:
    """The Markdown job summary."""
    verdict = {"passed": "✅ passed", "passed_with_waivers": "⚠️ passed with waivers", "blocked": "❌ blocked"}
    name = report.system_name or report.target
    lines = [f"## Launch gate: {name} — {verdict[report.outcome.value]}", ""]
    if report.assessment_version:
        lines.append(
            f"Assessment v{report.assessment_version}: EU tier `{report.eu_tier}`, internal tier "
            f"`{report.internal_tier}`."
        )
        lines.append("")
    if report.blocking or report.waived or report.approvals:
        lines += ["| item | status | owner | how to resolve |", "|---|---|---|---|"]
        for item in report.blocking:
            lines.append(
                f"| `{item.key}` | ❌ {_cell(item.message)} | {_cell(item.owner)} | "
                f"{_cell(item.resolution)} |"
            )
        for waived in report.waived:
            lines.append(
                f"| `{waived.item.key}` | ⚠️ waived until {waived.waiver.expires_at.date().isoformat()} by "
                f"{_cell(waived.waiver.granted_by)}: {_cell(waived.waiver.reason)} | "
                f"{_cell(waived.item.owner)} | "
                f"{_cell(waived.item.resolution)} |"
            )
        for approval in report.approvals:
            conditions = "; ".join(approval.conditions) or "none"
            lines.append(
                f"| `review:{approval.review_type}` | ✅ approved {approval.approved_at.date().isoformat()}, "
                f"conditions: {_cell(conditions)} | | |"
            )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def junit_xml(report: GateReport) -> str:
    """JUnit XML: a test case per missing item (failure), waived item (passed, with a warning in its
    output) and approved review."""
    cases: list[str] = []
    for item in report.blocking:
        cases.append(
            f'    <testcase classname="govassist.gate" name={quoteattr(item.key)}>\n'
            f"      <failure message={quoteattr(item.message)} type={quoteattr(item.kind.value)}>"
            f"{xml_escape(f'Owner: {item.owner}. Resolve: {item.resolution}')}</failure>\n"
            "    </testcase>"
        )
    for waived in report.waived:
        note = (
            f"WAIVED until {waived.waiver.expires_at.date().isoformat()} by {waived.waiver.granted_by}: "
            f"{waived.waiver.reason}"
        )
        cases.append(
            f'    <testcase classname="govassist.gate" name={quoteattr(waived.item.key)}>\n'
            f"      <system-out>{xml_escape(note)}</system-out>\n"
            "    </testcase>"
        )
    for approval in report.approvals:
        cases.append(
            f'    <testcase classname="govassist.gate" name={quoteattr("review:" + approval.review_type)}/>'
        )
    if not cases:
        cases.append('    <testcase classname="govassist.gate" name="launch-gate"/>')
    suite = quoteattr(f"launch gate: {report.system_name or report.target}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites>\n  <testsuite name={suite} tests="{len(cases)}" failures="{len(report.blocking)}" '
        f'errors="0" timestamp="{report.checked_at.isoformat()}">\n'
        + "\n".join(cases)
        + "\n  </testsuite>\n</testsuites>\n"
    )


@gate.command("waive")
@click.argument("system")
@click.option(
    "--item", required=True, help="The blocking item, as the gate names it (e.g. review:fairness-audit)."
)
@click.option("--reason", required=True, help="Why the launch may go ahead without it for now.")
@click.option(
    "--days", type=click.IntRange(1, 90), default=14, show_default=True, help="How long the waiver lasts."
)
@pass_app
def waive(app: AppContext, system: str, item: str, reason: str, days: int) -> None:
    """Waive one item the gate blocks SYSTEM on, for a few days, with a reason. Only the RAI team may
    (the people who decide reviews: `slack_rai_team` in config.toml, matched against $GOVASSIST_ACTOR);
    the gate then passes with a warning until the waiver expires. Audit-logged.

    \b
    Examples:
      GOVASSIST_ACTOR=priya govassist gate waive cv-screener --item review:fairness-audit \\
          --days 14 --reason "Audit booked for 12 Jan; launch limited to the pilot team"
    """
    from integrations.cli.systems import actor_name
    from tools.gate import WaiverError, grant_waiver

    standard = _standard(app)
    db = _open_database(app)
    try:
        with db.session() as session:
            waiver = grant_waiver(
                session=session,
                standard=standard,
                system=system,
                item=item,
                reason=reason,
                days=days,
                actor=actor_name(),
                rai_team=app.settings.slack_rai_team,
            )
    except WaiverError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.close()
    click.echo(
        f"Waiver #{waiver.id} for {waiver.system_id} [{waiver.item}] granted by {waiver.granted_by} until "
        f"{waiver.expires_at.date().isoformat()}."
    )


@gate.command("waivers")
@click.argument("system")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def waivers(app: AppContext, system: str, as_json: bool) -> None:
    """List the waivers granted for SYSTEM, active and expired.

    \b
    Examples:
      govassist gate waivers cv-screener
    """
    from core.clock import utc_now
    from tools.gate import list_waivers
    from tools.inventory import get_system

    db = _open_database(app)
    try:
        with db.session() as session:
            found = get_system(session=session, name_or_id=system)
            if found is None:
                raise click.ClickException(f"no system called {system!r} in the inventory")
            rows = list_waivers(session=session, system_id=found.id)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps([w.model_dump(mode="json") for w in rows], indent=2, ensure_ascii=False))
        return
    now = utc_now()
    for w in rows:
        state = "active" if w.expires_at > now else "expired"
        click.echo(
            f"#{w.id} [{w.item}] {state} until {w.expires_at.date().isoformat()}, "
            f"by {w.granted_by}: {w.reason}"
        )
    if not rows:
        click.echo("No waivers.")
