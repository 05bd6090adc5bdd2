"""The slash command: `/govassist ask|triage|tasks|quiz|help` (anything else is taken as a question)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from integrations.slack import ids
from integrations.slack.blocks import HELP_TEXT, escape, help_blocks, notice_blocks, task_list_blocks
from integrations.slack.handlers import quiz as quiz_handlers
from integrations.slack.handlers import triage as triage_handlers
from integrations.slack.handlers.common import RETRY_AFTER, SKIP, slow_down_text
from integrations.slack.handlers.conversations import THINKING, converse
from integrations.slack.runtime import SlackServices, actor, assignee_ref, post
from tools.tasks import TaskFilters

SUBCOMMANDS = ("ask", "triage", "tasks", "quiz", "help")


def split_command(text: str) -> tuple[str, str]:
    """('ask', 'question...') from the command text; a text without a subcommand is a question."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    first = words[0].lower()
    if first in SUBCOMMANDS:
        return first, words[1].strip() if len(words) > 1 else ""
    return "ask", text.strip()


def register(app: App, services: SlackServices) -> None:
    """`/govassist`."""

    def ack_command(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        sub, rest = split_command(body.get("text", ""))
        if sub == "help":
            ack(blocks=help_blocks(), text=HELP_TEXT)
            context[SKIP] = True
            return
        if sub == "ask" and not rest:
            ack(text="Usage: `/govassist ask <question>`")
            context[SKIP] = True
            return
        decision = services.limiter.check(body.get("user_id", ""))
        if not decision.allowed:
            ack(text=slow_down_text(decision.retry_after))
            context[SKIP] = True
            return
        ack()

    def run_command(body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        if context.get(SKIP):
            return
        if context.get(RETRY_AFTER) is not None:  # pragma: no cover - the ack already refused
            respond(text=slow_down_text(context[RETRY_AFTER]))
            return
        sub, rest = split_command(body.get("text", ""))
        if sub == "ask":
            _ask(services, body, rest, respond)
        elif sub == "triage":
            triage_handlers.open_triage_form(
                services,
                trigger_id=body["trigger_id"],
                user=body["user_id"],
                channel=body.get("channel_id"),
                text=rest,
            )
        elif sub == "tasks":
            _tasks(services, body, respond)
        elif sub == "quiz":
            quiz_handlers.start_from_command(services, body, rest, respond)

    app.command(ids.SLASH_COMMAND)(ack=ack_command, lazy=[run_command])


def _ask(services: SlackServices, body: dict[str, Any], question: str, respond: Respond) -> None:
    """Post the question in the channel, then the answer in its place: the message's thread is the
    conversation. Where the app may not post, the answer goes to the asker only."""
    user, channel = body["user_id"], body["channel_id"]
    intro = f"<@{user}> asked: {escape(question)}\n{THINKING}"
    placeholder = post(services.client, channel=channel, blocks=notice_blocks(intro), text=question)
    if placeholder is not None:
        converse(
            services,
            team=body.get("team_id"),
            channel=placeholder[0],
            thread_ts=placeholder[1],
            user=user,
            text=question,
            placeholder_ts=placeholder[1],
        )
        return
    failed = converse(
        services,
        team=body.get("team_id"),
        channel=channel,
        thread_ts=f"cmd-{body.get('trigger_id', '')[:40]}",
        user=user,
        text=question,
        placeholder_ts=None,
    )
    if failed is not None:
        blocks, fallback = failed
        respond(blocks=blocks, text=fallback, response_type="ephemeral")


def _tasks(services: SlackServices, body: dict[str, Any], respond: Respond) -> None:
    """The user's open review tasks (assigned, then of their systems), else every open one."""
    user = body["user_id"]
    summary = services.reviews.home(actors=[actor(user)], assignee_names=[assignee_ref(user), user])
    blocks = []
    if summary.assigned:
        blocks += task_list_blocks("Review tasks assigned to you", summary.assigned, empty="")
    if summary.of_systems:
        blocks += task_list_blocks("Open reviews of your systems", summary.of_systems, empty="")
    if not blocks:
        everything = services.reviews.tasks(TaskFilters(open_only=True))
        blocks = task_list_blocks("Open review tasks", everything, empty="No review tasks are open.")
    respond(blocks=blocks[:50], text="Open review tasks", response_type="ephemeral")
