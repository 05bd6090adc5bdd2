"""`/govassist quiz`: AI-literacy quizzes through `assistant.training`.

A quiz started in a channel is announced there with a "Take the quiz" button; the questions go to each
participant by DM with one button per option, and each answer is replaced by immediate feedback with
the cited explanation, then the next question. People named in the command (`/govassist quiz @ana
@ben GDPR basics`) get the first question straight away. The App Home's "Take a quiz" starts a
personal quiz.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from integrations.slack import ids
from integrations.slack.blocks import (
    notice_blocks,
    quiz_announcement_blocks,
    quiz_feedback_blocks,
    quiz_question_blocks,
)
from integrations.slack.handlers.common import action_value, channel_of, message_ts, tell, user_of
from integrations.slack.runtime import SlackServices, post, update
from knowledge.access import Audience

DEFAULT_TOPIC = "EU AI Act basics"
DEFAULT_QUESTIONS = 5
DEFAULT_DIFFICULTY = "easy"
DIFFICULTIES = ("easy", "medium", "hard")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def parse_quiz(text: str) -> tuple[str, int, str, list[str]]:
    """(topic, questions, difficulty, participants) from '[@people] [topic] [N] [easy|medium|hard]'."""
    participants = list(dict.fromkeys(_USER.findall(text or "")))
    words = _USER.sub(" ", text or "").split()
    questions, difficulty, topic = DEFAULT_QUESTIONS, DEFAULT_DIFFICULTY, []
    for word in words:
        if word.isdigit():
            questions = int(word)
        elif word.lower() in DIFFICULTIES:
            difficulty = word.lower()
        else:
            topic.append(word)
    return " ".join(topic) or DEFAULT_TOPIC, questions, difficulty, participants


def start_from_command(services: SlackServices, body: dict[str, Any], text: str, respond: Respond) -> None:
    """Start a quiz for the channel the command was run in (or for the people it names)."""
    training = services.training
    if training is None:
        respond(text="Quizzes are not available in this installation.", response_type="ephemeral")
        return
    from tools.training.errors import TrainingError

    user, channel = body["user_id"], body["channel_id"]
    topic, count, difficulty, people = parse_quiz(text)
    audience = services.directory.channel_context(channel).audience
    names = {p: services.directory.display_name(p) or p for p in people}
    try:
        started = training.start_session(
            topic=topic,
            questions=count,
            difficulty=difficulty,
            trainer=user,
            channel=None if people else channel,
            participants=people,
            display_names=names,
            audience=audience,
        )
    except TrainingError as exc:
        respond(text=f":warning: {exc}", response_type="ephemeral")
        return
    summary = started.session
    blocks = quiz_announcement_blocks(
        session_id=summary.id,
        topic=summary.topic,
        questions=summary.question_count,
        difficulty=summary.difficulty.value,
        trainer=user,
        participants=people,
    )
    if post(services.client, channel=channel, blocks=blocks, text=f"Quiz: {summary.topic}") is None:
        respond(blocks=blocks, text=f"Quiz: {summary.topic}", response_type="ephemeral")
    for person in people:
        send_next_question(services, summary.id, person)
    if started.notice:
        respond(text=f"Note: {started.notice}", response_type="ephemeral")


def dm_audience(services: SlackServices, user: str) -> Audience:
    """What `user` may read in a DM with the app: quiz questions and feedback go there."""
    return Audience(groups=services.directory.groups_of(user))


def send_next_question(services: SlackServices, session_id: int, user: str) -> bool:
    """DM the user their next unanswered question; False when they have answered them all."""
    assert services.training is not None
    view = services.training.next_question(session_id, user, audience=dm_audience(services, user))
    if view is None:
        return False
    post(
        services.client,
        channel=user,
        blocks=quiz_question_blocks(view),
        text=f"Question {view.position}: {view.prompt}",
    )
    return True


def register(app: App, services: SlackServices) -> None:
    """Quiz buttons."""
    if services.training is None:
        return
    from tools.training.errors import TrainingError

    training = services.training

    def ack_only(ack: Ack) -> None:
        ack()

    def on_start(body: dict[str, Any]) -> None:
        user = user_of(body) or ""
        value = action_value(body)
        session_id = value.session_id
        try:
            if session_id is None:  # the App Home: a personal quiz on the default topic
                started = training.start_session(
                    topic=DEFAULT_TOPIC,
                    questions=DEFAULT_QUESTIONS,
                    difficulty=DEFAULT_DIFFICULTY,
                    trainer=user,
                    participants=[user],
                    display_names={user: services.directory.display_name(user) or user},
                    audience=dm_audience(services, user),
                )
                session_id = started.session.id
            if not send_next_question(services, session_id, user):
                tell(services, body, "You have answered every question of this quiz already.")
        except TrainingError as exc:
            tell(services, body, f":warning: {exc}")

    app.action(ids.QUIZ_START)(ack=ack_only, lazy=[on_start])

    def on_answer(body: dict[str, Any]) -> None:
        user = user_of(body) or ""
        value = action_value(body)
        session_id, position, option = value.session_id, value.position, value.option
        if session_id is None or position is None or option is None:
            return
        try:
            audience = dm_audience(services, user)
            view = training.get_question(session_id, position, audience=audience)
            feedback = training.submit_answer(
                session_id,
                user,
                position,
                option,
                display_name=services.directory.display_name(user),
                audience=audience,
            )
        except TrainingError as exc:
            tell(services, body, f":warning: {exc}")
            return
        channel, ts = channel_of(body), message_ts(body)
        blocks = quiz_feedback_blocks(view, feedback)
        if not (
            channel
            and ts
            and update(services.client, channel=channel, ts=ts, blocks=blocks, text=feedback.explanation)
        ):
            post(services.client, channel=user, blocks=blocks, text=feedback.explanation)
        if feedback.completed and not feedback.already_answered:
            done = (
                f":tada: Quiz complete: {feedback.correct_so_far} of {feedback.total} right. "
                "Your result is recorded as AI-literacy training."
            )
            post(services.client, channel=user, blocks=notice_blocks(done), text=done)
        elif not feedback.completed:
            send_next_question(services, session_id, user)

    app.action(re.compile(rf"^{ids.QUIZ_ANSWER}_\d+$"))(ack=ack_only, lazy=[on_answer])
