"""The root command group, which loads each command's module only when that command runs.

`govassist --help` imports click and this module, nothing else: the command list is printed from
`COMMANDS` (module, attribute and one-line summary of each command), and a command's module is imported
only when the command is invoked or its own help is shown.

Adding a command (the pattern that keeps the CLI fast):
  1. put it in its own module under `integrations/cli/` that imports at module level only click, the
     standard library and `integrations.cli.context`; everything else (the library, rich, pydantic models)
     is imported inside the command function (names for annotations under `if TYPE_CHECKING:`);
  2. add one `LazyCommand` line to `COMMANDS` below, with the command's one-line summary (the first
     paragraph of its docstring; tests/cli/test_lazy_cli.py fails if the two differ, or if importing the
     CLI or printing `--help` pulls in a heavy package).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import NamedTuple

import click

from integrations.cli.context import AppContext


class LazyCommand(NamedTuple):
    """Where a top-level command lives and what `govassist --help` says about it."""

    module: str
    attribute: str
    summary: str


COMMANDS: dict[str, LazyCommand] = {
    "ask": LazyCommand(
        "integrations.cli.ask",
        "ask",
        "Answer a governance question with citations, or say honestly that it can't.",
    ),
    "audit": LazyCommand(
        "integrations.cli.audit",
        "audit",
        "The audit log: who did what, when, on which knowledge version (append-only).",
    ),
    "chat": LazyCommand(
        "integrations.cli.chat",
        "chat",
        "Talk to govassist in a thread: ask and follow up, triage a system over several turns (it asks what "
        "it needs one question at a time), file its reviews, list tasks and systems, look up past reviews.",
    ),
    "docs": LazyCommand(
        "integrations.cli.docs",
        "docs",
        "Draft review documents for a system from its profile, latest assessment, reviews and precedent.",
    ),
    "eval": LazyCommand(
        "integrations.cli.eval",
        "eval_group",
        "Measure govassist: answers, triage, tool calls and attacks, against labelled datasets.",
    ),
    "gate": LazyCommand(
        "integrations.cli.gate",
        "gate",
        "The launch gate: may this system launch? For CI, with waivers granted by the RAI team.",
    ),
    "ingest": LazyCommand(
        "integrations.cli.ingest",
        "ingest",
        "Ingest documents: Markdown, text, HTML, PDF, DOCX, JSON/YAML records; folders recursively.",
    ),
    "knowledge": LazyCommand(
        "integrations.cli.knowledge", "knowledge", "Inspect and manage the knowledge index."
    ),
    "slack": LazyCommand(
        "integrations.cli.slack",
        "slack",
        "The Slack app: questions in channels and DMs, triage, review tasks, feedback, quizzes.",
    ),
    "systems": LazyCommand(
        "integrations.cli.systems",
        "systems",
        "The inventory of AI systems: how each was triaged, its history, and re-triage after updates.",
    ),
    "tasks": LazyCommand(
        "integrations.cli.tasks",
        "tasks",
        "Review tasks: the reviews an assessment's tier requires, routed to owner queues.",
    ),
    "train": LazyCommand(
        "integrations.cli.train",
        "train",
        "Training sessions on AI governance topics, recorded as AI-literacy evidence (EU AI Act Art.",
    ),
    "triage": LazyCommand(
        "integrations.cli.triage",
        "triage_command",
        "Classify an AI system under the EU AI Act and other regimes, with cited grounds, obligations and "
        "dates; record it in the inventory and, with --file-tasks, file the reviews its tier requires.",
    ),
}


def load_command(name: str) -> click.Command:
    """The command registered as `name` in COMMANDS, its module imported now."""
    entry = COMMANDS[name]
    command = getattr(import_module(entry.module), entry.attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose commands in COMMANDS are imported on first use; `--help` lists them unimported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Registered and directly added commands, sorted."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module if it is a lazy one."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the summaries in COMMANDS, as click would print it, importing nothing."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            # An unloaded command is shortened by a bare command holding its summary: click's own rule.
            shown = loaded if loaded is not None else click.Command(name, help=COMMANDS[name].summary)
            summary = shown.get_short_help_str(limit)
            rows.append((name, summary))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(package_name="govassist")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GOVASSIST_HOME",
    help="Directory for all state (database, Chroma index, config.toml). Default: your user data directory.",
)
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """govassist: cited answers on AI governance, from regulations, your policies and past reviews.

    \b
    Examples:
      govassist ask "Do we have to tell customers they are talking to a bot?"
      govassist ingest policies/ --kind policy
      govassist knowledge status
    """
    ctx.obj = AppContext(home=home)
