"""`govassist ask`: one question, or a batch, answered with citations."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TextIO

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import print_answer

if TYPE_CHECKING:
    from assistant.service import Assistant
    from knowledge.access import Audience
    from knowledge.retrieval import SearchFilters


def _audience_and_filters(
    groups: str | None, sources: tuple[str, ...], kinds: tuple[str, ...]
) -> tuple[Audience, SearchFilters]:
    from knowledge.access import Audience
    from knowledge.retrieval import SearchFilters

    group_set = frozenset(g.strip() for g in (groups or "").split(",") if g.strip())
    return Audience(groups=group_set), SearchFilters(sources=list(sources) or None, kinds=list(kinds) or None)


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
    audience, filters = _audience_and_filters(groups, sources, kinds)
    if batch is None and question is not None:
        from assistant.service import validate_question

        try:
            validate_question(question)  # fail fast, before loading the model
        except QuestionError as exc:
            raise click.ClickException(str(exc)) from exc
    assistant = app.assistant()
    if batch is not None:
        failures = _answer_batch(assistant, batch, audience, filters)
        if failures:
            raise click.ClickException(
                f"{failures} question(s) could not be answered (see their 'error' fields)"
            )
        return
    assert question is not None
    answer = assistant.ask(question, audience=audience, filters=filters)
    if as_json:
        click.echo(answer.model_dump_json())
    else:
        print_answer(answer)


def _answer_batch(assistant: Assistant, lines: TextIO, audience: Audience, filters: SearchFilters) -> int:
    from assistant.service import QuestionError

    failures = 0
    for line in lines:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        try:
            out = assistant.ask(question, audience=audience, filters=filters).model_dump_json()
        except QuestionError as exc:
            failures += 1
            out = json.dumps({"question": question[:200], "error": str(exc)})
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    return failures
