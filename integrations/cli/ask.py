"""`govassist ask`: one question, or a batch, answered with citations.

Each question goes through the conversational agent as the only message of a fresh thread, with the ask
intent forced (a question is always answered as a question), so it is remembered and audited like a chat
turn; the output keeps the ask contract."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TextIO

import click

from integrations.cli.chat import new_thread_id, open_agent, user_context
from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import print_answer

if TYPE_CHECKING:
    from assistant.agent.agent import Agent
    from assistant.agent.schemas import UserContext
    from assistant.schemas import Answer
    from knowledge.retrieval import SearchFilters


def _filters(sources: tuple[str, ...], kinds: tuple[str, ...]) -> SearchFilters:
    from knowledge.retrieval import SearchFilters

    return SearchFilters(sources=list(sources) or None, kinds=list(kinds) or None)


def ask_agent(agent: Agent, question: str, user: UserContext, filters: SearchFilters) -> Answer:
    """The question answered by the agent in a one-off thread, as the ask contract."""
    from assistant.agent.router import Intent
    from assistant.schemas import Answer

    reply = agent.respond(
        thread_id=new_thread_id("ask"), message=question, user=user, filters=filters, intent=Intent.ASK
    )
    return Answer.model_validate(reply.model_dump(include=set(Answer.model_fields)))


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the integration contract).")
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help="Answer one question per line of FILE ('-' for stdin); writes one JSON object per line.",
)
@click.option("--groups", metavar="G,...", help="Your groups, for reading restricted documents.")
@click.option(
    "--source", "sources", multiple=True, metavar="ID", help="Only search this source id (repeatable)."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["regulation", "policy", "review"]),
    help="Only search this kind of document (repeatable).",
)
@pass_app
def ask(
    app: AppContext,
    question: str | None,
    as_json: bool,
    batch: TextIO | None,
    groups: str | None,
    sources: tuple[str, ...],
    kinds: tuple[str, ...],
) -> None:
    """Answer a governance question with citations, or say honestly that it can't.

    \b
    Examples:
      govassist ask "Is emotion recognition at work allowed?"
      govassist ask --json "What must deployers of high-risk AI do?"
      govassist ask --batch questions.txt > answers.jsonl
    """
    from assistant.service import QuestionError

    if batch is not None and question:
        raise click.UsageError("give either a QUESTION or --batch FILE, not both")
    if batch is None and question is None:
        raise click.UsageError("missing QUESTION (or --batch FILE)")
    user, filters = user_context(None, groups), _filters(sources, kinds)
    if batch is None and question is not None:
        from assistant.service import validate_question

        try:
            validate_question(question)  # fail fast, before loading the model
        except QuestionError as exc:
            raise click.ClickException(str(exc)) from exc
    agent = open_agent(app)
    if batch is not None:
        failures = _answer_batch(agent, batch, user, filters)
        if failures:
            raise click.ClickException(
                f"{failures} question(s) could not be answered (see their 'error' fields)"
            )
        return
    assert question is not None
    answer = ask_agent(agent, question, user, filters)
    if as_json:
        click.echo(answer.model_dump_json())
    else:
        print_answer(answer)


def _answer_batch(agent: Agent, lines: TextIO, user: UserContext, filters: SearchFilters) -> int:
    from assistant.service import QuestionError

    failures = 0
    for line in lines:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        try:
            out = ask_agent(agent, question, user, filters).model_dump_json()
        except QuestionError as exc:
            failures += 1
            out = json.dumps({"question": question[:200], "error": str(exc)})
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    return failures
