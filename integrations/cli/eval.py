"""`govassist eval ...`: run the eval suite, list stored runs, compare two runs, render a run's report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from core.offline import quiet_libraries
from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console, err_console
from integrations.cli.systems import open_database, say

if TYPE_CHECKING:
    from evals.results import RunSummary
    from evals.store import Comparison

SUITE_CHOICES = ["qa", "triage", "agent", "redteam", "all"]
# Metrics shown in the one-line-per-suite summary after a run (all of them are in --json and the report).
HEADLINE = {
    "qa": ["citation_hit", "context_recall", "context_precision", "key_fact_recall", "abstention_precision",
           "abstention_recall", "lead_correct_all", "lead_correct_packs", "lead_correct_northwind",
           "lead_correct_halyard", "citation_hit_halyard", "answer_rate_halyard"],
    "triage": ["tier_accuracy", "dangerous_downgrades", "grounds_recall", "obligations_recall"],
    "agent": ["tool_call_accuracy", "tool_call_f1", "intent_correct", "citation_hit"],
    "redteam": ["injection_success_rate", "attack_success_rate"],
}  # fmt: skip


@click.group("eval")
def eval_group() -> None:
    """Measure govassist: answers, triage, tool calls and attacks, against labelled datasets.

    The datasets live in evals/datasets/ (see its README). A run uses its own workspace (the built-in
    packs, the sample organisation and eval fixtures, never your own knowledge), is stored with its git
    commit and knowledge version, and fails (exit 1) when a threshold in evals/thresholds.yaml fails.

    \b
    Examples:
      govassist eval run --fast
      govassist eval run --suite triage --report triage.html
      govassist eval list
      govassist eval compare 3 4
    """


def _suites(chosen: tuple[str, ...]) -> list[str]:
    from evals.config import SUITES

    if not chosen or "all" in chosen:
        return list(SUITES)
    return [s for s in SUITES if s in chosen]


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{int(value)}" if float(value).is_integer() and abs(value) >= 1 else f"{value:.3f}"


def print_summary(summary: RunSummary) -> None:
    """Headline metrics per suite, the notes, and every threshold check."""
    for suite in summary.suites:
        metrics = summary.metrics.get(suite, {})
        shown = ", ".join(f"{name} {_fmt(metrics.get(name))}" for name in HEADLINE[suite] if name in metrics)
        cases = [c for c in summary.results if c.suite == suite]
        passed = sum(c.status == "passed" for c in cases)
        say(f"[bold]{suite}[/bold]: {passed}/{len(cases)} cases passed; {escape(shown)}")
        for note in summary.notes.get(suite, []):
            say(f"  [yellow]note[/yellow]: {escape(note)}")
    for check in summary.checks:
        if check.passed is None:
            mark = "[yellow]skipped[/yellow]"
        else:
            mark = "[green]ok[/green]" if check.passed else "[red]FAILED[/red]"
        say(f"  {mark} {check.suite}.{check.metric} = {_fmt(check.value)} (threshold {escape(check.bound)})")
    verdict = "[green]passed[/green]" if summary.passed else "[red]failed[/red]"
    say(f"Run {summary.id if summary.id is not None else '(not stored)'} {verdict}.")


@eval_group.command("run")
@click.option(
    "--suite",
    "suites",
    type=click.Choice(SUITE_CHOICES),
    multiple=True,
    help="Suite to run (repeat for several); default all.",
)
@click.option("--fast", is_flag=True, help="The fast subset with the hashing embedder (what make test runs).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report here.")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the eval workspace (the held-out organisation's goes beside it, '-held-out'). "
    "Default: <home>/eval-workspace/<profile>-<embedder>.",
)
@click.option("--fresh", is_flag=True, help="Rebuild the workspace from scratch.")
@click.option("--judge", help="Judge model for Faithfulness and ResponseRelevancy (like GOVASSIST_LLM).")
@click.option("--no-store", is_flag=True, help="Do not store the run in the database.")
@click.option("--json", "as_json", is_flag=True, help="Print the run (metrics, checks, cases) as JSON.")
@pass_app
def run_command(
    app: AppContext,
    suites: tuple[str, ...],
    fast: bool,
    report: Path | None,
    workspace: Path | None,
    fresh: bool,
    judge: str | None,
    no_store: bool,
    as_json: bool,
) -> None:
    """Run the eval suites through the real assistant and score them; exit 1 if a threshold fails.

    Suites: qa (answers and citations, follow-ups, questions to decline, and the lead: verdict, figure
    or decision before the first blank line, first citation from the right source, reported for the
    packs, the sample organisation and a held-out organisation indexed in a workspace of its own),
    triage (tier, grounds, obligations, dangerous downgrades), agent (tool calls per turn), redteam
    (prompt injection, tier talk-downs, restricted documents, invented citations). Scored with ragas
    where it has the metric; Faithfulness and ResponseRelevancy need a judge model (--judge or
    GOVASSIST_EVAL_JUDGE).

    \b
    Examples:
      govassist eval run --fast
      govassist eval run --suite qa --suite triage --report eval.html
      govassist eval run --judge openai:gpt-4o-mini
    """
    from core.config import ConfigError
    from evals.config import ConfigFileError, load_config
    from evals.report import write_report
    from evals.runner import RunRequest, run_eval

    quiet_libraries()
    if report is not None and report.suffix.lower() not in {".html", ".htm"}:
        raise click.BadParameter("the report must be an .html file", param_hint="--report")
    try:
        config = load_config()
        request = RunRequest(
            suites=_suites(suites),  # type: ignore[arg-type]
            fast=fast,
            workspace=workspace,
            fresh=fresh,
            judge=judge,
            store=not no_store,
        )
        summary = run_eval(
            app.settings,
            request,
            console=None if as_json else err_console,
            config=config,
            announce=lambda line: err_console.print(escape(line), highlight=False),
        )
    except (ConfigError, ConfigFileError) as exc:
        raise click.ClickException(str(exc)) from exc
    if report is not None:
        write_report(summary, report)
    if as_json:
        click.echo(json.dumps(summary.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        print_summary(summary)
        if report is not None:
            say(f"Report: {escape(str(report))}")
    if not summary.passed:
        raise SystemExit(1)


@eval_group.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (metrics and checks, no cases).")
@pass_app
def list_command(app: AppContext, limit: int, as_json: bool) -> None:
    """List stored eval runs, newest first.

    \b
    Examples:
      govassist eval list
      govassist eval list --limit 5 --json
    """
    from rich.table import Table

    from evals.store import list_runs

    db = open_database(app)
    try:
        runs = list_runs(db, limit=limit)
    finally:
        db.close()
    if as_json:
        payload = [r.model_dump(mode="json", exclude={"results"}) for r in runs]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not runs:
        say("No eval runs yet: govassist eval run --fast")
        return
    table = Table(box=None, header_style="bold", padding=(0, 1))
    for name in ("id", "started", "suites", "profile", "commit", "cases", "result"):
        table.add_column(name, no_wrap=True)
    for r in runs:
        passed = sum(c.status == "passed" for c in r.results)
        table.add_row(
            str(r.id),
            r.started_at[:19].replace("T", " "),
            "all" if len(r.suites) == len(SUITE_CHOICES) - 1 else ",".join(r.suites),
            str(r.config.get("profile", "")),
            (r.git_commit or "")[:12],
            f"{passed}/{len(r.results)}",
            "[green]passed[/green]" if r.passed else "[red]failed[/red]",
        )
    console.print(table)


def _load(app: AppContext, run_id: int) -> RunSummary:
    from evals.store import RunNotFound, get_run

    db = open_database(app)
    try:
        return get_run(db, run_id)
    except RunNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.close()


def print_comparison(comparison: Comparison) -> None:
    """Changed metrics, then the cases that flipped between passed and failed."""
    changed = [d for d in comparison.deltas if d.before != d.after]
    say(f"Run {comparison.before} -> run {comparison.after}: {len(changed)} metric(s) changed.")
    for d in changed:
        change = d.change
        arrow = "" if change is None else f" ({change:+.3f})"
        say(f"  {d.suite}.{d.metric}: {_fmt(d.before)} -> {_fmt(d.after)}{arrow}")
    if comparison.flipped:
        say(f"{len(comparison.flipped)} case(s) flipped:")
        for f in comparison.flipped:
            colour = "green" if f.after == "passed" else "red"
            say(f"  {f.suite} {f.case_id}: {f.before} -> [{colour}]{f.after}[/{colour}]")
    else:
        say("No case flipped between passed and failed.")
    if comparison.only_before or comparison.only_after:
        say(
            f"Cases in one run only: {len(comparison.only_before)} before, "
            f"{len(comparison.only_after)} after."
        )


@eval_group.command("compare")
@click.argument("before", type=int)
@click.argument("after", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@pass_app
def compare_command(app: AppContext, before: int, after: int, as_json: bool) -> None:
    """Show how metrics changed from run BEFORE to run AFTER, and which cases flipped.

    \b
    Examples:
      govassist eval compare 3 4
      govassist eval compare 3 4 --json
    """
    from evals.store import compare_runs

    comparison = compare_runs(_load(app, before), _load(app, after))
    if as_json:
        click.echo(comparison.model_dump_json(indent=2))
        return
    print_comparison(comparison)


@eval_group.command("report")
@click.argument("run_id", type=int)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write.",
)
@pass_app
def report_command(app: AppContext, run_id: int, output: Path) -> None:
    """Write the HTML report of a stored run.

    \b
    Examples:
      govassist eval report 4 -o eval-4.html
    """
    from evals.report import write_report

    if output.suffix.lower() not in {".html", ".htm"}:
        raise click.BadParameter("the report must be an .html file", param_hint="--output")
    write_report(_load(app, run_id), output)
    say(f"Wrote {escape(str(output))}")
