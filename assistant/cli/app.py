"""The root command group."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.ask import ask
from assistant.cli.audit import audit
from assistant.cli.chat import chat
from assistant.cli.context import AppContext
from assistant.cli.docs import docs
from assistant.cli.eval import eval_group
from assistant.cli.gate import gate
from assistant.cli.ingest import ingest
from assistant.cli.knowledge import knowledge
from assistant.cli.slack import slack
from assistant.cli.systems import systems
from assistant.cli.tasks import tasks
from assistant.cli.train import train
from assistant.cli.triage import triage_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


cli.add_command(ask)
cli.add_command(chat)
cli.add_command(ingest)
cli.add_command(knowledge)
cli.add_command(systems)
cli.add_command(docs)
cli.add_command(tasks)
cli.add_command(train)
cli.add_command(audit)
cli.add_command(triage_command)
cli.add_command(gate)
cli.add_command(slack)
cli.add_command(eval_group)
