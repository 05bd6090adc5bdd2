"""`govassist knowledge ...`: what is indexed, removing sources, the packs and the sample, and the
passages held back at ingest as possible prompt injection (listing and releasing them)."""

from __future__ import annotations

import click

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console


@click.group()
def knowledge() -> None:
    """Inspect and manage the knowledge index."""


@knowledge.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """List indexed sources with section counts, sections held back, when ingested and as-of dates.

    Sections that read as instructions to an AI (possible prompt injection) are held back at ingest:
    not searchable, never in an answer. 'govassist knowledge flagged' lists them.
    """
    from rich.table import Table

    rows = app.assistant().index.status()
    if as_json:
        import json

        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table(box=None, header_style="bold", padding=(0, 1))
    table.add_column("source", no_wrap=True, overflow="ellipsis", max_width=22)
    for name in ("kind", "visibility", "sections", "held back", "ingested", "as of"):
        table.add_column(name, no_wrap=True, justify="right" if name in {"sections", "held back"} else "left")
    for r in rows:
        vis = r.visibility + (f" ({','.join(r.groups)})" if r.groups else "")
        table.add_row(
            r.source_id,
            "pack" if r.origin == "pack" else r.kind,
            vis,
            str(r.sections),
            str(r.flagged) if r.flagged else "-",
            r.ingested_at[:10],
            r.as_of.isoformat() if r.as_of else "-",
        )
    console.print(table)
    as_of = app.assistant().index.knowledge_as_of()
    console.print(f"{len(rows)} documents; knowledge as of {as_of.isoformat() if as_of else 'unknown'}.")
    held = sum(r.flagged for r in rows)
    if held:
        console.print(
            f"{held} section(s) held back as possible prompt injection: 'govassist knowledge flagged' lists "
            "them, 'govassist knowledge release CITATION_ID' indexes one after review."
        )


@knowledge.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def flagged(app: AppContext, as_json: bool) -> None:
    """List the passages held back at ingest because they read as instructions to an AI.

    Such passages ("ignore previous instructions", "you are now ...", "respond only with ...",
    chat-template markers, instructions hidden in HTML comments) are kept out of search, answers and
    training questions. Read each one; release it with 'govassist knowledge release CITATION_ID' only if
    it is a genuine policy text.
    """
    rows = app.assistant().index.flagged()
    if as_json:
        import json

        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        console.print("No passages are held back.")
        return
    for r in rows:
        console.print(f"[bold]{r.citation_id}[/bold]  ({r.document}; {', '.join(r.rules)}; {r.flagged_at})")
        console.print(f"  {r.excerpt}", highlight=False, markup=False)
    console.print(f"{len(rows)} passage(s) held back.")


@knowledge.command()
@click.argument("citation_id")
@pass_app
def release(app: AppContext, citation_id: str) -> None:
    """Index the held-back passage CITATION_ID after all (see 'govassist knowledge flagged').

    The release is recorded in the audit log under the acting user ($GOVASSIST_ACTOR, else your login
    name). It holds for the passage's current text: re-ingesting the unchanged file keeps it indexed, an
    edited passage is screened again.
    """
    from integrations.cli.systems import actor_name
    from tools.screening import release_passage

    released = release_passage(app.assistant().index, citation_id, actor=actor_name())
    if released is None:
        raise click.ClickException(
            f"no passage {citation_id!r} is held back (see 'govassist knowledge flagged')"
        )
    console.print(f"Released {released.citation_id} ({released.document}); it is now searchable.")


@knowledge.command()
@click.argument("source")
@pass_app
def remove(app: AppContext, source: str) -> None:
    """Remove every document of SOURCE (a source id such as 'eu-ai-act', or a document key)."""
    removed = app.assistant().index.remove(source)
    if not removed:
        raise click.ClickException(
            f"no indexed source or document called {source!r} (see 'govassist knowledge status')"
        )
    console.print(f"Removed {len(removed)} document(s): {', '.join(removed)}")


@knowledge.command()
@pass_app
def packs(app: AppContext) -> None:
    """List the built-in knowledge packs with their version and as-of date."""
    from rich.table import Table

    from knowledge.packs import load_packs

    table = Table("pack", "title", "version", "as of", "records")
    for pack in load_packs():
        table.add_row(
            pack.regime_id, pack.title, pack.version, pack.as_of.isoformat(), str(len(pack.records))
        )
    console.print(table)


@knowledge.command("load-sample")
@pass_app
def load_sample(app: AppContext) -> None:
    """Index the fictional sample organisation's policies and past reviews, and record its saved inventory
    history: systems assessed under an earlier knowledge revision, which `systems retriage --changed`
    then re-triages (for demos and trials)."""
    from integrations.cli.ingest import print_report
    from integrations.cli.systems import database_session
    from knowledge.builtin import load_sample_organisation
    from knowledge.samples import SAMPLE_ASSESSMENTS
    from tools.inventory import AssessmentPublic, import_assessment

    report = load_sample_organisation(app.assistant().index)
    print_report(report)
    with database_session(app) as session:
        for path in SAMPLE_ASSESSMENTS:
            saved = AssessmentPublic.model_validate_json(path.read_text(encoding="utf-8"))
            recorded = import_assessment(session=session, assessment=saved, actor="sample-data")
            if recorded is not None:
                click.echo(
                    f"Recorded {recorded.system_name} v{recorded.version}, assessed under the knowledge "
                    f"as of {recorded.knowledge_as_of.isoformat()} (sample inventory history)."
                )
    if report.failures:
        raise SystemExit(1)


@knowledge.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@pass_app
def fetch(app: AppContext, sources: tuple[str, ...]) -> None:
    """Download official texts from their publishers and ingest them.

    SOURCE is one of: eu-ai-act (EUR-Lex HTML), gdpr (EUR-Lex HTML), nist-ai-rmf (the NIST AI RMF
    Playbook's structured export). They share citation ids with the built-in packs, so answers can
    quote the official wording next to our summary. Set `official_urls` in config.toml to use a mirror.

    \b
    Examples:
      govassist knowledge fetch eu-ai-act gdpr
    """
    from integrations.cli.ingest import print_report
    from knowledge.official import OFFICIAL_SOURCES, FetchError, fetch_and_ingest

    unknown = [s for s in sources if s not in OFFICIAL_SOURCES]
    if unknown:
        raise click.UsageError(
            f"unknown SOURCE {', '.join(unknown)}: choose from {', '.join(sorted(OFFICIAL_SOURCES))}"
        )
    settings = app.settings
    failed = False
    for source_id in sources:
        click.echo(f"Downloading {OFFICIAL_SOURCES[source_id].title} ...", err=True)
        try:
            path, report = fetch_and_ingest(
                app.assistant().index,
                source_id,
                target_dir=settings.official_dir,
                overrides=settings.official_urls,
            )
        except FetchError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed = True
            continue
        console.print(f"{source_id}: saved {path}")
        print_report(report)
        failed = failed or bool(report.failures)
    if failed:
        raise SystemExit(1)
