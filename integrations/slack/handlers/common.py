"""Pieces every surface uses: acknowledging with the rate limit, reading ids out of payloads, telling
the user something only they see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from integrations.slack.blocks import notice_blocks
from integrations.slack.payloads import ActionPayload
from integrations.slack.runtime import SlackServices, ephemeral, post

SKIP = "govassist_skip"
RETRY_AFTER = "govassist_retry_after"


def rate_limited_ack(
    services: SlackServices, user_of: Callable[[dict[str, Any]], str | None]
) -> Callable[..., None]:
    """An ack function: acknowledge at once, count the request against its user's rate limit, and drop
    a re-sent event. Work happens afterwards, in the lazy listener, which reads the flags set here."""

    def ack_request(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        if not services.first_time(body.get("event_id")):
            context[SKIP] = True
            return
        user = user_of(body)
        if user:
            decision = services.limiter.check(user)
            if not decision.allowed:
                context[RETRY_AFTER] = decision.retry_after

    return ack_request


def slow_down_text(retry_after: float) -> str:
    """What a rate-limited user is told."""
    seconds = max(1, round(retry_after))
    return f":hourglass: You are asking faster than I can answer. Please try again in {seconds} s."


def team_of(body: dict[str, Any]) -> str | None:
    """The workspace id of any payload."""
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id")
    return body.get("team_id") or (body.get("user") or {}).get("team_id")


def user_of(body: dict[str, Any]) -> str | None:
    """The acting user of an interaction payload (block action, shortcut, view submission)."""
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id")


def event_user(body: dict[str, Any]) -> str | None:
    """The user of an Events API payload."""
    return (body.get("event") or {}).get("user")


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in (none on the App Home)."""
    channel = body.get("channel")
    if isinstance(channel, dict):
        return channel.get("id")
    container = body.get("container") or {}
    return container.get("channel_id") or body.get("channel_id")


def message_ts(body: dict[str, Any]) -> str | None:
    """The ts of the message an interaction came from."""
    container = body.get("container") or {}
    return container.get("message_ts") or (body.get("message") or {}).get("ts")


def thread_of(body: dict[str, Any]) -> str | None:
    """The thread the interaction's message is in (its own ts when it is a thread's root)."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    return container.get("thread_ts") or message.get("thread_ts") or message.get("ts")


def action_value(body: dict[str, Any]) -> ActionPayload:
    """The payload of the first action of a block_actions payload (empty when it is not ours)."""
    action = (body.get("actions") or [{}])[0]
    return ActionPayload.parse(action.get("value"))


def tell(
    services: SlackServices, body: dict[str, Any], text: str, *, blocks: list[dict[str, Any]] | None = None
) -> None:
    """Something only the acting user sees: an ephemeral message where they are, else a DM."""
    user = user_of(body) or event_user(body)
    if not user:
        return
    channel = channel_of(body)
    if channel:
        # In the thread only when the interaction happened inside one; else beside the message.
        container, message = body.get("container") or {}, body.get("message") or {}
        in_thread = container.get("thread_ts") or message.get("thread_ts")
        ephemeral(services.client, channel=channel, user=user, text=text, blocks=blocks, thread_ts=in_thread)
    else:
        post(services.client, channel=user, blocks=blocks or notice_blocks(text), text=text)
