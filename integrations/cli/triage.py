"""`govassist triage`: classify an AI system, record it, file its reviews."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console
from integrations.cli.systems import actor_name

if TYPE_CHECKING:
    from assistant.triage import TriageOutcome
    from tools.triage.schemas import SystemProfile


def _profile_error(source: str, exc: Exception) -> click.ClickException:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'profile'}: {err['msg']}" for err in exc.errors()
        )
        return click.ClickException(f"{source}: invalid profile: {problems}")
    return click.ClickException(f"{source}: {exc}")


def load_profile_file(path: Path) -> SystemProfile:
    """A profile from a JSON or YAML file, or a one-line error naming the file and the field."""
    import yaml
    from pydantic import ValidationError

    from tools.triage.schemas import SystemProfile

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read ({exc})") from exc
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise click.ClickException(f"{path}: not valid JSON/YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: a profile must be a mapping of fields")
    try:
        return SystemProfile.model_validate(data)
    except (ValidationError, ValueError) as exc:
        raise _profile_error(str(path), exc) from exc


def _list_use_cases() -> None:
    from tools.triage.catalogue import CATALOGUE, UseCaseCategory

    headings = {
        UseCaseCategory.ART5: "Prohibited practices (Art. 5)",
        UseCaseCategory.ANNEX_III: "High-risk areas (Annex III)",
        UseCaseCategory.OTHER: "Other uses",
    }
    for category, heading in headings.items():
        console.print(f"[bold]{heading}[/bold]")
        for entry in (e for e in CATALOGUE if e.category is category):
            trigger = entry.citation or "no provision by itself"
            if entry.carve_out and entry.citation:
                trigger = f"carved out of {entry.citation}"
            console.print(f"  {entry.code}  [dim]({trigger})[/dim]", highlight=False, soft_wrap=True)
            console.print(f"      {entry.description}", highlight=False)


def print_outcome(outcome: TriageOutcome) -> None:
    """A readable triage: tier, grounds with citations, obligations with dates, questions, precedent."""
    from assistant.triage_view import TriageView

    view = TriageView.of_outcome(outcome)
    colour = {"prohibited": "red", "high": "yellow"}.get(view.tier.value, "green")
    console.print(f"[bold]{view.system.name}[/bold]  ({view.system.id or 'not recorded'})")
    when = f", applies from {view.applies_from.isoformat()}" if view.applies_from else ""
    console.print(
        f"EU AI Act tier: [{colour}]{view.tier.value}[/{colour}]{when}    internal tier: {view.internal_tier}"
    )
    for ground in view.grounds:
        console.print(f"  - {ground.reason} [dim]({ground.citation})[/dim]", highlight=False)
    if view.transparency:
        console.print("Transparency (Art. 50):")
        for ground in view.transparency:
            console.print(f"  - {ground.reason} [dim]({ground.citation})[/dim]", highlight=False)
    if view.gpai:
        risk = "with systemic risk" if view.gpai.systemic_risk else "without systemic risk"
        console.print(f"General-purpose AI model, {risk}:")
        for ground in view.gpai.grounds:
            console.print(f"  - {ground.reason} [dim]({ground.citation})[/dim]", highlight=False)
    if view.applying_regimes:
        console.print("Other regimes: " + ", ".join(f.regime for f in view.applying_regimes))
    if view.obligations:
        console.print(f"Obligations ({len(view.obligations)}):")
        for o in view.obligations:
            date = o.applies_from.isoformat() if o.applies_from else "in force"
            console.print(
                f"  - {o.title} — {o.owner}, from {date} [dim]({o.citation})[/dim]", highlight=False
            )
    if view.required_reviews:
        console.print(
            "Required reviews: " + ", ".join(f"{x.name} ({x.due_days} days)" for x in view.required_reviews)
        )
    if view.open_questions:
        console.print("[yellow]Needs information:[/yellow]")
        for m in view.open_questions:
            console.print(f"  ? {m.question} [dim]({m.field})[/dim]", highlight=False)
    if view.precedents:
        console.print(f"{len(view.precedents)} similar system(s) were reviewed:")
        for p in view.precedents:
            console.print(f"  - {p.title} [dim]({p.citation})[/dim]", highlight=False)
    if view.tasks:
        existing = len(view.tasks) - view.tasks_new
        already = f"; {existing} already existed" if existing else ""
        console.print(f"Filed {view.tasks_new} new review task(s){already}:")
        for t in view.tasks:
            console.print(
                f"  #{t.id} {t.title} -> {t.owner_queue}, due {t.due_date.isoformat()} [{t.status.value}]"
            )
    console.print(f"Knowledge as of {view.knowledge_as_of.isoformat()}.")


def _print_notices(extracted: object) -> None:
    """Why a configured model did not help with a description (e.g. it was unreachable), on stderr."""
    for notice in getattr(extracted, "notices", []):
        click.echo(f"note: {notice}", err=True)


def _run_batch(app: AppContext, lines: TextIO, *, file_tasks: bool) -> int:
    from pydantic import ValidationError

    from assistant.triage import describe, run_triage
    from tools.triage.schemas import SystemProfile

    assistant = app.assistant()
    model = app.chat_model()
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        out: dict[str, Any]
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("each line must be a JSON object")
            extracted = None
            if "describe" in data:
                extracted = describe(
                    str(data["describe"]), name=data.get("name"), index=assistant.index, model=model
                )
                _print_notices(extracted)
                profile = extracted.profile
            else:
                profile = SystemProfile.model_validate(data)
            outcome = run_triage(
                assistant.index,
                app.settings,
                profile,
                actor=actor_name(),
                file_tasks=file_tasks,
                extracted=extracted,
            )
            out = outcome.as_json()
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            failures += 1
            out = {"line": number, "error": str(_profile_error(f"line {number}", exc).message)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return failures


@click.command("triage")
@click.option(
    "--input", "input_file", type=click.Path(path_type=Path, dir_okay=False), help="Profile (JSON or YAML)."
)
@click.option("--describe", "description", metavar="TEXT", help="A plain description of the system.")
@click.option("--name", help="The system's name (with --describe).")
@click.option(
    "--batch", type=click.File("r", encoding="utf-8"), help='JSON Lines: profiles or {"describe": ...}.'
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--file-tasks", is_flag=True, help="File the review tasks the internal tier requires.")
@click.option("--no-record", is_flag=True, help="Classify only: do not record it in the inventory.")
@click.option("--list-use-cases", is_flag=True, help="Print the use-case catalogue and exit.")
@pass_app
def triage_command(
    app: AppContext,
    input_file: Path | None,
    description: str | None,
    name: str | None,
    batch: TextIO | None,
    as_json: bool,
    file_tasks: bool,
    no_record: bool,
    list_use_cases: bool,
) -> None:
    """Classify an AI system under the EU AI Act and other regimes, with cited grounds, obligations and
    dates; record it in the inventory and, with --file-tasks, file the reviews its tier requires.

    Deterministic rules decide the tier. Whatever would decide it and is unknown becomes a question
    (status needs_information) instead of a guess. With a language model configured (GOVASSIST_LLM),
    --describe also reads the description through the model's structured output; the model may add
    use cases and facts with evidence but never remove what the offline extractor found.

    \b
    Examples:
      govassist triage --list-use-cases
      govassist triage --input cv-screener.yaml --file-tasks
      govassist triage --describe "A chatbot that answers customer questions about claims" --name Nora
      govassist triage --batch inventory.jsonl --json > results.jsonl
    """
    if list_use_cases:
        _list_use_cases()
        return
    given = [x for x in (input_file, description, batch) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --input FILE, --describe TEXT or --batch FILE")
    if batch is not None:
        failures = _run_batch(app, batch, file_tasks=file_tasks)
        if failures:
            raise click.ClickException(f"{failures} line(s) could not be triaged (see their 'error' fields)")
        return
    from assistant.triage import describe, run_triage

    extracted = None
    if input_file is not None:
        profile = load_profile_file(input_file)
    else:
        assert description is not None
        if not description.strip():
            raise click.UsageError("--describe needs a description")
        extracted = describe(description, name=name, index=app.assistant().index, model=app.chat_model())
        _print_notices(extracted)
        profile = extracted.profile
    outcome = run_triage(
        app.assistant().index,
        app.settings,
        profile,
        actor=actor_name(),
        record=not no_record,
        file_tasks=file_tasks,
        extracted=extracted,
    )
    if as_json:
        click.echo(json.dumps(outcome.as_json()))
    else:
        print_outcome(outcome)
