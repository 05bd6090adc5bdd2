"""`govassist train ...`: onboarding and training sessions, with AI-literacy records (EU AI Act Art. 4)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from integrations.cli.context import AppContext, pass_app
from integrations.cli.render import console, err_console
from integrations.cli.systems import actor_name, open_database, say

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.training import TrainingService
    from knowledge.access import Audience
    from tools.training.schemas import AnswerFeedback, QuestionView, SessionSummary

DIFFICULTIES = ("easy", "medium", "hard")


@contextmanager
def _service(app: AppContext, *, knowledge: bool) -> Iterator[TrainingService]:
    """The training service; with `knowledge`, over the opened assistant (index, embedder, packs), else
    over the database alone (answering, closing and reports need nothing more)."""
    from assistant.training import TrainingService

    if knowledge:
        service = TrainingService(app.settings, assistant=app.assistant())
    else:
        service = TrainingService(app.settings, db=open_database(app), assistant_factory=app.assistant)
    try:
        yield service
    except ValueError as exc:  # TrainingError and the question validation of the assistant
        raise click.ClickException(str(exc)) from exc
    finally:
        service.close()


def _split(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _reader_options(command: Callable[..., None]) -> Callable[..., None]:
    """--groups and --public-only: who reads. A session drawing on internal or restricted documents is
    shown and answered only for readers who may read them, as for `govassist ask`."""
    command = click.option(
        "--public-only", is_flag=True, help="Read as in a public channel: only sessions from public sources."
    )(command)
    return click.option(
        "--groups", metavar="G,...", help="Your groups, for sessions built from restricted documents."
    )(command)


def _audience(groups: str | None, public_only: bool) -> Audience:
    from knowledge.access import Audience

    return Audience(groups=frozenset(_split(groups)), public_only=public_only)


def _dump(model: object) -> None:
    from pydantic import BaseModel

    data = (
        model.model_dump(mode="json")
        if isinstance(model, BaseModel)
        else [m.model_dump(mode="json") for m in model]  # type: ignore[attr-defined]
    )
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group()
def train() -> None:
    """Training sessions on AI governance topics, recorded as AI-literacy evidence (EU AI Act Art. 4).

    A trainer starts a session on a topic for a channel or a list of people; participants answer
    multiple-choice and true/false questions built from the knowledge packs and the organisation's
    policies, and get immediate feedback with the cited explanation. Reports export attendance and
    scores as CSV and a printable HTML record.

    \b
    Examples:
      govassist train topics
      govassist train start --topic "EU AI Act basics" --questions 5 --difficulty easy --participants ana,ben
      govassist train take 1 --user ana
      govassist train report --session 1 --html session-1.html --csv attendance.csv
    """


@train.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def topics(app: AppContext, as_json: bool) -> None:
    """List the training topics, whether their knowledge is indexed, and how many questions each offers.

    \b
    Examples:
      govassist train topics
    """
    from rich.table import Table

    with _service(app, knowledge=True) as service:
        infos = service.topics()
    if as_json:
        _dump(infos)
        return
    table = Table(box=None, header_style="bold", padding=(0, 1))
    table.add_column("topic", min_width=20, overflow="fold")
    table.add_column("questions", justify="right", no_wrap=True)
    table.add_column("covers", overflow="fold")
    for info in infos:
        covers = escape(info.description) if info.available else f"[yellow]{escape(info.note or '')}[/yellow]"
        table.add_row(escape(info.title), str(info.questions_available), covers)
    console.print(table)


@train.command()
@click.option("--topic", required=True, help="The topic: its title or id (see 'govassist train topics').")
@click.option("--questions", "count", type=int, default=10, show_default=True, help="Number of questions.")
@click.option("--difficulty", default="medium", show_default=True, help="easy, medium or hard.")
@click.option("--channel", help="A channel the session is for: anyone there may take part.")
@click.option("--participants", help="Comma-separated people the session is for (only they may answer).")
@click.option("--trainer", help="Who runs the session. Default: $GOVASSIST_ACTOR or your login name.")
@click.option("--seed", type=int, help="Seed for the question generator (same seed, same questions).")
@click.option("--offline", is_flag=True, help="Do not use a configured language model for questions.")
@_reader_options
@click.option("--json", "as_json", is_flag=True, help="Print the session as JSON.")
@pass_app
def start(
    app: AppContext,
    topic: str,
    count: int,
    difficulty: str,
    channel: str | None,
    participants: str | None,
    trainer: str | None,
    seed: int | None,
    offline: bool,
    groups: str | None,
    public_only: bool,
    as_json: bool,
) -> None:
    """Start a training session: generate the questions and record who it is for.

    Questions are multiple choice and true/false, built from structured facts of the knowledge packs
    and the organisation's policies, each with its citation and an explanation. Difficulty changes
    the mix and how close the wrong options are. With a language model configured, up to half the
    questions come from the model, each checked against its cited source.

    The session is as confidential as the most restricted document its questions cite: only documents
    the audience may read are used (--public-only for a public channel: public sources only; --groups
    to use documents restricted to those groups), and later only such readers see the questions.

    \b
    Examples:
      govassist train start --topic "EU AI Act basics" --questions 8 --difficulty easy --channel onboarding
      govassist train start --topic "how triage works" --questions 5 --participants ana,ben --trainer Priya
      govassist train start --topic "our generative AI acceptable-use policy" --questions 6 \\
          --difficulty hard --participants ana --seed 42
    """
    people = _split(participants)
    if channel and people:
        raise click.ClickException("give --channel or --participants, not both")
    if not channel and not people:
        raise click.ClickException("give --channel CHANNEL or --participants a,b,c: who is the session for?")
    if difficulty.strip().lower() not in DIFFICULTIES:
        raise click.ClickException(
            f"--difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}"
        )
    from assistant.training import TrainingService

    service = TrainingService(app.settings, assistant=app.assistant(), use_llm=not offline)
    try:
        started = service.start_session(
            topic=topic,
            questions=count,
            difficulty=difficulty,
            trainer=trainer or actor_name(),
            channel=channel,
            participants=people,
            seed=seed,
            audience=_audience(groups, public_only),
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        service.close()
    if as_json:
        _dump(started)
        return
    s = started.session
    audience = f"channel {s.channel}" if s.channel else ", ".join(p.user_id for p in s.participants)
    say(
        f"Started training session [bold]{s.id}[/bold]: {escape(s.topic)} "
        f"({s.question_count} questions, {s.difficulty.value}) for {escape(audience)}."
    )
    say(
        f"Seed {s.seed}; knowledge {escape(s.knowledge_version or 'unknown')}; questions: {s.generator}; "
        f"visibility: {escape(s.access.label())}."
    )
    if started.notice:
        say(f"[yellow]{escape(started.notice)}[/yellow]")
    if started.rejected_drafts:
        say(
            f"{len(started.rejected_drafts)} model-written question(s) failed the check against their source."
        )
    say(f"Participants: govassist train take {s.id} --user NAME")


def _print_question(view: QuestionView) -> None:
    console.print(f"\n[bold]Question {view.position}/{view.total}[/bold]", highlight=False)
    console.print(escape(view.prompt), highlight=False, soft_wrap=True)
    for index, option in enumerate(view.options):
        console.print(
            f"  [bold]{view.option_label(index) if view.kind.value == 'multiple_choice' else index + 1}."
            f"[/bold] {escape(option)}",
            highlight=False,
            soft_wrap=True,
        )


def _print_feedback(feedback: AnswerFeedback, view: QuestionView) -> None:
    right = view.option_label(feedback.correct_option)
    if feedback.already_answered:
        say("[yellow]You had answered this one already; your first answer counts.[/yellow]")
    if feedback.correct:
        say("[green]Right.[/green]")
    else:
        say(f"[red]Not quite.[/red] The right answer is {escape(right)}: {escape(feedback.correct_text)}")
    console.print(escape(feedback.explanation), highlight=False, soft_wrap=True)
    source = feedback.citation_id + (f" ({feedback.citation_title})" if feedback.citation_title else "")
    say(f"[dim]Source: {escape(source)}[/dim]")


@train.command()
@click.argument("session_id", metavar="SESSION", type=int)
@click.option("--user", required=True, help="Who is answering.")
@_reader_options
@pass_app
def take(app: AppContext, session_id: int, user: str, groups: str | None, public_only: bool) -> None:
    """Take a session interactively: one question at a time, immediate feedback with the source.

    Answer with the option's number or letter (true/false: t or f). A line starting with '?' is an open
    question, answered with citations from the knowledge base; an empty line or 'q' stops (take the
    session again later to go on where you stopped).

    \b
    Examples:
      govassist train take 3 --user ana
      printf 'B\\n? Who has to ensure AI literacy?\\nA\\n' | govassist train take 3 --user ana
    """
    from tools.training.errors import AnswerError

    stdin = sys.stdin
    reader = _audience(groups, public_only)
    with _service(app, knowledge=False) as service:
        summary = service.get_session(session_id, audience=reader)
        if summary.status.value != "open":
            raise click.ClickException(
                f"training session {session_id} is closed: answers are no longer recorded"
            )
        say(
            f"Training session {summary.id}: [bold]{escape(summary.topic)}[/bold] "
            f"({summary.difficulty.value}), trainer {escape(summary.trainer)}."
        )
        view = service.next_question(session_id, user, audience=reader)
        if view is None:
            _print_total(service.get_session(session_id, audience=reader), user)
            return
        _print_question(view)
        while view is not None:
            click.echo("Your answer (number or letter; '?' to ask a question; empty to stop): ", nl=False)
            line = stdin.readline()
            text = line.strip()
            if not line or text.lower() in {"", "q", "quit", "exit"}:
                say(f"\nStopped. Go on later with: govassist train take {session_id} --user {escape(user)}")
                return
            if text.startswith("?"):
                _open_question(service, session_id, user, text[1:].strip(), reader)
                continue
            try:
                option = service.parse_option(view, text)
            except AnswerError as exc:
                say(f"[yellow]{escape(str(exc))}[/yellow]")
                continue
            feedback = service.submit_answer(session_id, user, view.position, option, audience=reader)
            _print_feedback(feedback, view)
            view = service.next_question(session_id, user, audience=reader)
            if view is not None:
                _print_question(view)
        _print_total(service.get_session(session_id, audience=reader), user)


def _open_question(
    service: TrainingService, session_id: int, user: str, question: str, reader: Audience
) -> None:
    from integrations.cli.render import print_answer

    if not question:
        say("[yellow]Type your question after the '?'.[/yellow]")
        return
    try:
        answer = service.ask(session_id, user, question, audience=reader)
    except ValueError as exc:
        say(f"[yellow]{escape(str(exc))}[/yellow]")
        return
    print_answer(answer)


def _print_total(summary: SessionSummary, user: str) -> None:
    for p in summary.participants:
        if p.user_id == user:
            say(
                f"\nYou answered {p.answered} of {p.total} questions: {p.correct} right "
                f"({p.score_percent:.0f}%)."
            )
            return


@train.command()
@click.argument("session_id", metavar="SESSION", type=int)
@click.option("--user", required=True, help="Who is answering.")
@click.option("--question", "position", type=int, required=True, help="The question's number in the session.")
@click.option("--option", "option", required=True, help="The chosen option: its number or letter (t/f).")
@_reader_options
@click.option("--json", "as_json", is_flag=True, help="Print the feedback as JSON.")
@pass_app
def answer(
    app: AppContext,
    session_id: int,
    user: str,
    position: int,
    option: str,
    groups: str | None,
    public_only: bool,
    as_json: bool,
) -> None:
    """Record one answer and print the feedback (for scripts; the first answer counts).

    \b
    Examples:
      govassist train answer 3 --user ana --question 1 --option B
      govassist train answer 3 --user ana --question 2 --option 3 --json
    """
    reader = _audience(groups, public_only)
    with _service(app, knowledge=False) as service:
        view = service.get_question(session_id, position, audience=reader)
        feedback = service.submit_answer(
            session_id, user, position, service.parse_option(view, option), audience=reader
        )
    if as_json:
        _dump(feedback)
        return
    _print_feedback(feedback, view)
    say(f"{feedback.answered}/{feedback.total} answered, {feedback.correct_so_far} right.")


@train.command()
@click.argument("session_id", metavar="SESSION", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the session as JSON.")
@pass_app
def close(app: AppContext, session_id: int, as_json: bool) -> None:
    """Close a session: no more answers are recorded.

    \b
    Examples:
      govassist train close 3
    """
    with _service(app, knowledge=False) as service:
        summary = service.close_session(session_id, actor=actor_name())
    if as_json:
        _dump(summary)
        return
    done = sum(1 for p in summary.participants if p.completed)
    say(
        f"Closed training session {summary.id}: {done} of {len(summary.participants)} participant(s) "
        "completed."
    )


def _sessions_table(rows: list[SessionSummary]) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", padding=(0, 1))
    for name in ("id", "topic", "date", "trainer", "for", "questions", "status", "completed"):
        table.add_column(name, overflow="fold", no_wrap=name in {"id", "date", "status"})
    for s in rows:
        done = sum(1 for p in s.participants if p.completed)
        table.add_row(
            str(s.id),
            escape(s.topic),
            s.created_at.date().isoformat(),
            escape(s.trainer),
            escape(f"#{s.channel}" if s.channel else ", ".join(p.user_id for p in s.participants)),
            f"{s.question_count} ({s.difficulty.value})",
            s.status.value,
            f"{done}/{len(s.participants)}",
        )
    console.print(table)


@train.command("list")
@click.option("--person", help="Only sessions this person took part in.")
@click.option("--status", type=click.Choice(["open", "closed"]), help="Only open or closed sessions.")
@_reader_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def list_command(
    app: AppContext,
    person: str | None,
    status: str | None,
    groups: str | None,
    public_only: bool,
    as_json: bool,
) -> None:
    """List training sessions you may see, newest first (sessions drawing on documents restricted to
    groups you are not in are left out).

    \b
    Examples:
      govassist train list --status open
      govassist train list --person ana
    """
    with _service(app, knowledge=False) as service:
        rows = service.list_sessions(person=person, status=status, audience=_audience(groups, public_only))
    if as_json:
        _dump(rows)
        return
    if not rows:
        say("No training sessions.")
        return
    _sessions_table(rows)


@train.command()
@click.argument("session_id", metavar="SESSION", type=int)
@_reader_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def show(app: AppContext, session_id: int, groups: str | None, public_only: bool, as_json: bool) -> None:
    """Show a session: topic, trainer, status and every participant's score.

    \b
    Examples:
      govassist train show 3
    """
    with _service(app, knowledge=False) as service:
        summary = service.get_session(session_id, audience=_audience(groups, public_only))
    if as_json:
        _dump(summary)
        return
    _sessions_table([summary])
    for p in summary.participants:
        done = f"completed {p.completed_at:%Y-%m-%d %H:%M}" if p.completed_at else "not completed"
        say(
            f"  {escape(p.display_name or p.user_id)}: {p.correct}/{p.total} right, "
            f"{p.answered} answered, {done}"
        )


@train.command()
@click.option("--session", "session_id", type=int, help="Only this session (default: all sessions).")
@click.option("--person", help="One person's training record.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write attendance and scores as CSV here ('-' for standard output).",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the printable HTML report here.",
)
@_reader_options
@pass_app
def report(
    app: AppContext,
    session_id: int | None,
    person: str | None,
    csv_path: Path | None,
    html_path: Path | None,
    groups: str | None,
    public_only: bool,
) -> None:
    """Export attendance and scores (CSV) and a printable HTML report: evidence of AI literacy measures
    under Article 4 of the EU AI Act. Without --csv or --html the CSV goes to standard output.

    \b
    Examples:
      govassist train report --session 3 --html session-3.html
      govassist train report --csv attendance.csv
      govassist train report --person ana --html ana-training.html
    """
    with _service(app, knowledge=False) as service:
        data = service.report(session_id=session_id, person=person, audience=_audience(groups, public_only))
        csv_text = service.render_csv(data)
        html_text = service.render_html(data) if html_path else ""
    if csv_path is None and html_path is None:
        sys.stdout.write(csv_text)
        return
    for path, text in ((csv_path, csv_text), (html_path, html_text)):
        if path is None:
            continue
        if str(path) == "-":
            sys.stdout.write(text)
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from exc
        say(f"Wrote {escape(str(path))}.")
    if "-" not in {str(csv_path), str(html_path)}:  # keep standard output clean for the export
        say(f"{len(data.sessions)} session(s).")
    if data.withheld:
        # On standard error: standard output may be the export itself.
        err_console.print(
            f"[yellow]{data.withheld} session(s) left out: they draw on documents you may not read "
            "(give your --groups; not --public-only).[/yellow]",
            soft_wrap=True,
            highlight=False,
        )
