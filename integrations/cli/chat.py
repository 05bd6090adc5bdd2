"""`govassist chat`: talk to the agent in a thread, interactively or one message at a time."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import click

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console, print_reply
from integrations.cli.systems import actor_name

if TYPE_CHECKING:
    from assistant.agent.agent import Agent
    from assistant.agent.schemas import UserContext

REPL_HELP = "Type a message. /new starts a new thread, /thread shows its id, /exit (or Ctrl-D) leaves."


def new_thread_id(prefix: str = "cli") -> str:
    """A fresh thread id, e.g. 'cli-3f2a9c1b7e4d'."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def parse_groups(groups: str | None) -> frozenset[str]:
    """'legal, hr' -> {'legal', 'hr'}."""
    return frozenset(g.strip() for g in (groups or "").split(",") if g.strip())


def user_context(user_id: str | None, groups: str | None, *, public_only: bool = False) -> UserContext:
    """Who is speaking: --user (default $GOVASSIST_ACTOR or the login name) with --groups."""
    from assistant.agent.schemas import UserContext

    name = (user_id or "").strip() or actor_name()
    return UserContext(user_id=name, groups=parse_groups(groups), public_only=public_only)


def open_agent(app: AppContext) -> Agent:
    """The agent over the command's opened assistant, with the configured chat model (if any)."""
    from assistant.agent.agent import Agent

    return Agent(app.settings, app.assistant(), model=app.chat_model())


@click.command()
@click.argument("message", required=False)
@click.option("--thread", "thread_id", metavar="ID", help="The thread to add to (default: a new one).")
@click.option("--user", "user_id", metavar="U", help="Who is speaking (default: $GOVASSIST_ACTOR or login).")
@click.option("--groups", metavar="G,...", help="Your groups, for reading restricted documents.")
@click.option("--public-only", is_flag=True, help="Read as in a public channel: public documents only.")
@click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON (needs MESSAGE).")
@pass_app
def chat(
    app: AppContext,
    message: str | None,
    thread_id: str | None,
    user_id: str | None,
    groups: str | None,
    public_only: bool,
    as_json: bool,
) -> None:
    """Talk to govassist in a thread: ask and follow up, triage a system over several turns (it asks
    what it needs one question at a time), file its reviews, list tasks and systems, look up past reviews.

    Without MESSAGE it starts an interactive session; with MESSAGE it adds that one message to the
    thread and prints the reply (with --json: the ask contract plus intent, tool_calls, triage and
    pending_question). Threads are kept in the database, so a script can continue one with --thread.

    \b
    Examples:
      govassist chat
      govassist chat --thread t1 --json "What must deployers of high-risk AI do?"
      govassist chat --thread t1 --json "and for providers?"
      govassist chat --thread t2 --user ana --groups legal "I want to triage a new feature: ..."
    """
    from assistant.service import validate_question

    if as_json and message is None:
        raise click.UsageError("--json needs a MESSAGE (the interactive session prints text)")
    user = user_context(user_id, groups, public_only=public_only)
    if thread_id is not None and not thread_id.strip():
        raise click.UsageError("--thread needs a thread id")
    if message is not None:
        try:
            validate_question(message)  # fail fast, before loading the model
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        _one_message(app, message, thread_id or new_thread_id(), user, as_json=as_json)
        return
    _repl(app, thread_id or new_thread_id(), user)


def _one_message(app: AppContext, message: str, thread_id: str, user: UserContext, *, as_json: bool) -> None:
    agent = open_agent(app)
    try:
        reply = agent.respond(thread_id=thread_id, message=message, user=user)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(reply.model_dump_json())
    else:
        print_reply(reply)


def _repl(app: AppContext, thread_id: str, user: UserContext) -> None:
    agent = open_agent(app)
    console.print(f"[bold]govassist chat[/bold] · thread {thread_id} · {REPL_HELP}", highlight=False)
    while True:
        try:
            line = console.input("[bold]you>[/bold] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        text = line.strip()
        if not text:
            continue
        if text in {"/exit", "/quit"}:
            return
        if text == "/new":
            thread_id = new_thread_id()
            console.print(f"New thread {thread_id}.", highlight=False)
            continue
        if text == "/thread":
            console.print(f"Thread {thread_id}.", highlight=False)
            continue
        if text in {"/help", "/?"}:
            console.print(REPL_HELP)
            continue
        try:
            reply = agent.respond(thread_id=thread_id, message=text, user=user)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]", highlight=False)
            continue
        print_reply(reply)
