"""Conversations with the agent: app mentions in channels (the reply goes in the thread), direct
messages, and the message shortcut "Ask govassist about this". A Slack thread is one conversation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from assistant.agent.schemas import AgentReply
from assistant.feedback import remember_post
from assistant.triage_view import TriageView
from integrations.slack import ids
from integrations.slack.blocks import (
    Block,
    answer_blocks,
    context,
    notice_blocks,
    section,
    to_mrkdwn,
    triage_blocks,
)
from integrations.slack.handlers.common import (
    RETRY_AFTER,
    SKIP,
    event_user,
    rate_limited_ack,
    slow_down_text,
    team_of,
    tell,
    user_of,
)
from integrations.slack.runtime import (
    SlackServices,
    conversation_id,
    ephemeral,
    log,
    post,
    strip_mentions,
    update,
)
from integrations.slack.tasksync import triage_subject

# Intents whose replies answer a question from the knowledge: they get the feedback buttons.
ANSWER_INTENTS = frozenset({"ask", "past_reviews"})
THINKING = "_Looking into it…_"


def render_reply(services: SlackServices, reply: AgentReply, *, thread_id: str) -> list[Block]:
    """Blocks for an agent reply: a triage result as the triage card, anything else as a cited answer."""
    result = reply.triage
    version = result.assessment_version if result is not None else None
    if result is not None and version is not None:
        system_id = result.system.id
        tasks = services.reviews.tasks_for_assessment(system_id, version) if system_id and version else []
        view = TriageView.of(result, version=version, precedents=result.precedents, tasks=tasks)
        blocks = triage_blocks(view, titles=services.reviews.citation_titles(view.titled_citations()))
        if reply.pending_question:
            blocks[1:1] = [
                section(f":question: {to_mrkdwn(reply.pending_question)}"),
                context(
                    "Answer in this thread (mention me in a channel), or use *Answer the open questions*."
                ),
            ]
        return blocks
    # Anything else, a triage still asking its questions included, reads as the agent's own words.
    return answer_blocks(reply, thread_id=thread_id, feedback=reply.intent in ANSWER_INTENTS)


def converse(
    services: SlackServices,
    *,
    team: str | None,
    channel: str,
    thread_ts: str,
    user: str,
    text: str,
    channel_type: str | None = None,
    placeholder_ts: str | None = None,
) -> tuple[list[Block], str] | None:
    """One turn: ask the agent within the thread's conversation, post the reply in the thread (or in
    place of `placeholder_ts`), and remember a triage result's message. Returns the blocks and text
    when posting failed, so the caller can show them another way; None once posted."""
    thread_id = conversation_id(team, channel, thread_ts)
    who = services.directory.user_context(user, channel, channel_type)
    reply: AgentReply | None = None
    try:
        with services.locks.hold(thread_id):
            reply = services.agent.respond(thread_id=thread_id, message=text, user=who, channel=channel)
    except ValueError as exc:  # the agent's one-line refusals: an empty or oversized message
        blocks, fallback = notice_blocks(f":warning: {exc}"), str(exc)
    except Exception:  # an answer that failed must still get a reply in Slack
        log.exception("the agent failed on thread %s", thread_id)
        fallback = "Sorry, something went wrong while answering. Please try again."
        blocks = notice_blocks(f":warning: {fallback}")
    else:
        blocks, fallback = render_reply(services, reply, thread_id=thread_id), reply.answer
    if placeholder_ts is not None:
        done = update(services.client, channel=channel, ts=placeholder_ts, blocks=blocks, text=fallback)
        where = (channel, placeholder_ts) if done else None
    else:
        where = post(services.client, channel=channel, blocks=blocks, text=fallback, thread_ts=thread_ts)
    if where is None:
        return blocks, fallback
    triaged = reply.triage if reply is not None else None
    if triaged is not None and triaged.assessment_version:
        system_id = triaged.system.id
        if system_id:
            subject = triage_subject(system_id, triaged.assessment_version)
            remember_post(services.reviews.db, subject=subject, channel=where[0], ts=where[1])
    return None


def register(app: App, services: SlackServices) -> None:
    """Mentions, DMs and the "Ask govassist about this" shortcut."""

    def on_mention(body: dict[str, Any], context: BoltContext) -> None:
        if context.get(SKIP):
            return
        event = body["event"]
        user = event.get("user")
        if not user:
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        if context.get(RETRY_AFTER) is not None:
            ephemeral(
                services.client,
                channel=event["channel"],
                user=user,
                text=slow_down_text(context[RETRY_AFTER]),
                thread_ts=thread_ts,
            )
            return
        text = strip_mentions(event.get("text", ""))
        if not text:
            post(
                services.client,
                channel=event["channel"],
                blocks=notice_blocks(_HINT),
                text=_HINT,
                thread_ts=thread_ts,
            )
            return
        converse(
            services,
            team=team_of(body),
            channel=event["channel"],
            thread_ts=thread_ts,
            user=user,
            text=text,
            channel_type=event.get("channel_type"),
        )

    app.event("app_mention")(ack=rate_limited_ack(services, event_user), lazy=[on_mention])

    def on_message(body: dict[str, Any], context: BoltContext) -> None:
        event = body["event"]
        # Only people's own new messages to the app: no edits, joins, bots (the app's own replies too).
        if (
            context.get(SKIP)
            or event.get("channel_type") != "im"
            or event.get("subtype") not in (None, "file_share")
            or event.get("bot_id")
            or not event.get("user")
        ):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        if context.get(RETRY_AFTER) is not None:
            text = slow_down_text(context[RETRY_AFTER])
            post(
                services.client,
                channel=event["channel"],
                blocks=notice_blocks(text),
                text=text,
                thread_ts=thread_ts,
            )
            return
        text = strip_mentions(event.get("text", ""))
        if not text:
            return
        converse(
            services,
            team=team_of(body),
            channel=event["channel"],
            thread_ts=thread_ts,
            user=event["user"],
            text=text,
            channel_type="im",
        )

    def message_user(body: dict[str, Any]) -> str | None:
        event = body.get("event") or {}
        # Only DMs count against the limit: other message events are dropped unanswered.
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return None
        return event.get("user")

    app.event("message")(ack=rate_limited_ack(services, message_user), lazy=[on_message])

    def on_ask_shortcut(body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        if context.get(SKIP):
            return
        if context.get(RETRY_AFTER) is not None:
            respond(text=slow_down_text(context[RETRY_AFTER]), response_type="ephemeral")
            return
        message = body.get("message") or {}
        text = strip_mentions(message.get("text", ""))
        user = user_of(body)
        channel = (body.get("channel") or {}).get("id")
        if not text or not user or not channel:
            tell(services, body, "That message has no text I can ask about.")
            return
        thread_ts = message.get("thread_ts") or message["ts"]
        failed = converse(
            services, team=team_of(body), channel=channel, thread_ts=thread_ts, user=user, text=text
        )
        if failed is not None:
            # Not a member of the channel: show the answer to the asker only.
            blocks, fallback = failed
            respond(blocks=blocks, text=fallback, response_type="ephemeral", replace_original=False)

    app.shortcut(ids.SHORTCUT_ASK)(ack=rate_limited_ack(services, user_of), lazy=[on_ask_shortcut])


_HINT = "Ask me a question after the mention, e.g. `@govassist do we have to label chatbot messages?`"
