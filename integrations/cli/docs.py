"""`govassist docs ...`: review documents drafted from what govassist knows about a system."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from integrations.cli.chat import parse_groups
from integrations.cli.context import AppContext, pass_app
from integrations.cli.systems import actor_name

FORMATS = ("markdown", "html", "docx")


@click.group()
def docs() -> None:
    """Draft review documents for a system from its profile, latest assessment, reviews and precedent.

    Every filled statement names its source (citation id, assessment version, task id); what govassist
    does not know is asked as a question for the owner. Each draft is stored with the assessment version
    it was made from, and the audit log records who drafted it.

    \b
    Examples:
      govassist docs system-card talentrank-cv-screener
      govassist docs model-card "TalentRank CV screener" --format docx --output model-card.docx
      govassist docs fria talentrank-cv-screener --format html --output fria.html
      govassist docs tech-doc talentrank-cv-screener --user priya
    """


def _draft(
    app: AppContext,
    *,
    kind: str,
    system: str,
    fmt: str,
    output: Path | None,
    user: str | None,
    groups: str | None,
) -> None:
    from assistant.docs import DraftNotPossibleError, draft_document
    from knowledge.access import Audience
    from tools.docs.schemas import DocumentKind, OutputFormat

    chosen = OutputFormat(fmt)
    if chosen is OutputFormat.DOCX and output is None:
        raise click.UsageError("--format docx writes a file: give --output FILE")
    actor = (user or "").strip() or actor_name()
    assistant = app.assistant()
    try:
        drafted = draft_document(
            app.settings,
            assistant.index,
            system=system,
            kind=DocumentKind(kind),
            fmt=chosen,
            actor=actor,
            audience=Audience(groups=parse_groups(groups)),
        )
    except (DraftNotPossibleError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if output is None:
        sys.stdout.write(drafted.content.decode("utf-8"))
        sys.stdout.flush()
    else:
        try:
            output.write_bytes(drafted.content)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    draft = drafted.draft
    stored = f"stored as draft #{drafted.stored.id} of" if drafted.stored else "for"
    where = f" to {output}" if output else ""
    click.echo(
        f"Drafted {draft.title}{where}: {stored} assessment v{draft.assessment_version}; "
        f"{draft.open_questions} question(s) for the owner.",
        err=True,
    )


def _command(kind: str, summary: str) -> click.Command:
    @click.command(kind, help=summary)
    @click.argument("system")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="markdown",
        show_default=True,
        help="Markdown, a printable HTML page, or a Word document (needs --output).",
    )
    @click.option(
        "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout."
    )
    @click.option(
        "--user", metavar="U", help="Who drafts it, for the audit log (default: $GOVASSIST_ACTOR or login)."
    )
    @click.option("--groups", metavar="G,...", help="Your groups, for restricted templates and past reviews.")
    @pass_app
    def command(
        app: AppContext, system: str, fmt: str, output: Path | None, user: str | None, groups: str | None
    ) -> None:
        _draft(app, kind=kind, system=system, fmt=fmt, output=output, user=user, groups=groups)

    return command


docs.add_command(
    _command(
        "system-card",
        "Draft the system card of SYSTEM (id or name), in the organisation's template's sections if one is "
        "ingested (a source id containing 'system-card'), else built-in ones.",
    )
)
docs.add_command(
    _command(
        "model-card",
        "Draft the model card of SYSTEM (id or name), in the organisation's template's sections if one is "
        "ingested (a source id containing 'model-card'), else built-in ones.",
    )
)
docs.add_command(
    _command(
        "fria",
        "Draft the fundamental rights impact assessment of SYSTEM: whether Article 27 asks for one, then "
        "its elements (a) to (f).",
    )
)
docs.add_command(
    _command(
        "tech-doc",
        "Draft the technical documentation of SYSTEM under the Annex IV headings of the eu-ai-act pack.",
    )
)
