"""`govassist audit ...`: the append-only audit log."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from integrations.cli.context import AppContext, pass_app
from integrations.cli.systems import database_session


@click.group()
def audit() -> None:
    """The audit log: who did what, when, on which knowledge version (append-only)."""


@audit.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only events at or after this date or time (UTC).",
)
@pass_app
def export(app: AppContext, output: Path | None, since: datetime | None) -> None:
    """Write the audit log as JSON Lines, oldest event first: one object per line with id, at, actor,
    action, subject, details and knowledge_version.

    \b
    Examples:
      govassist audit export > audit.jsonl
      govassist audit export --since 2026-01-01 --output audit-2026.jsonl
    """
    from tools.audit import export_jsonl

    start = since.replace(tzinfo=UTC) if since else None
    with database_session(app) as session:
        if output is None:
            export_jsonl(session=session, out=sys.stdout, since=start)
            return
        try:
            with output.open("w", encoding="utf-8") as fh:
                count = export_jsonl(session=session, out=fh, since=start)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"Wrote {count} audit event(s) to {output}.", err=True)
