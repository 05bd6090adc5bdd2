"""`govassist ingest`: add files and folders to the knowledge index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console, err_console

if TYPE_CHECKING:
    from knowledge.index import KnowledgeIndex
    from knowledge.ingest import IngestReport, IngestRequest


def run_ingest(index: KnowledgeIndex, request: IngestRequest) -> IngestReport:
    """Ingest with a progress bar on a terminal (chunks embedded, file being read)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from knowledge.ingest import ingest_paths

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("Embedding", total=0)

        def on_file(path: Path) -> None:
            progress.update(task, description=f"Reading {path.name[:40]}")

        def on_planned(n: int) -> None:
            progress.update(task, total=(progress.tasks[0].total or 0) + n, description="Embedding")

        def on_chunks(n: int) -> None:
            progress.advance(task, n)

        return ingest_paths(index, request, on_file=on_file, on_planned=on_planned, on_chunks=on_chunks)


def print_report(report: IngestReport) -> None:
    """One summary line, then one line per failed file."""
    console.print(
        f"Ingested: {report.count('added')} added, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged, {len(report.failures)} failed."
    )
    for failure in report.failures:
        err_console.print(f"[red]skipped[/red] {failure.path}: {failure.error}", highlight=False)
    if report.flagged:
        err_console.print(
            f"[yellow]held back[/yellow] {report.flagged} section(s) that read as instructions to an AI "
            "(possible prompt injection); see 'govassist knowledge flagged'.",
            highlight=False,
        )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["regulation", "policy", "review"]),
    help="What the documents are. Default: detected (official legal texts -> regulation, else policy).",
)
@click.option(
    "--source-id", help="Citation prefix, e.g. 'eu-ai-act'. Default: detected regime, or the file stem."
)
@click.option(
    "--visibility",
    type=click.Choice(["public", "internal", "restricted"]),
    default="internal",
    show_default=True,
    help="Who may read the documents. 'restricted' needs --groups.",
)
@click.option("--groups", metavar="G,...", help="Groups allowed to read restricted documents.")
@pass_app
def ingest(
    app: AppContext,
    paths: tuple[Path, ...],
    kind: str | None,
    source_id: str | None,
    visibility: str,
    groups: str | None,
) -> None:
    """Ingest documents: Markdown, text, HTML, PDF, DOCX, JSON/YAML records; folders recursively.

    Unchanged files are skipped; a changed file replaces its old version atomically. Files that cannot
    be read are reported by name and skipped; the exit code is 1 if any failed.

    \b
    Examples:
      govassist ingest eu-ai-act.html
      govassist ingest policies/ --kind policy
      govassist ingest hr-review.md --kind review --visibility restricted --groups legal,hr
    """
    from knowledge.access import Visibility
    from knowledge.ingest import IngestRequest, validate_request
    from knowledge.sections import DocumentKind

    request = IngestRequest(
        paths=list(paths),
        kind=DocumentKind(kind) if kind else None,
        source_id=source_id,
        visibility=Visibility(visibility),
        groups=[g.strip() for g in (groups or "").split(",") if g.strip()],
    )
    try:
        validate_request(request)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    report = run_ingest(app.assistant().index, request)
    print_report(report)
    if report.failures:
        raise SystemExit(1)
