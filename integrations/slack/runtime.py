"""What every handler shares: the agent, the review service, the Web API client, the directory, the rate
limiter, per-conversation locks; and small helpers for thread ids and posting."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from assistant.agent.schemas import AgentReply, UserContext
from assistant.reviews import ReviewService
from core.config import Settings
from integrations.slack.directory import Directory
from integrations.slack.ratelimit import RateLimiter

if TYPE_CHECKING:
    from assistant.training import TrainingService
    from integrations.slack.tasksync import TaskMessageSync

log = logging.getLogger("integrations.slack")

THREAD_PREFIX = "slack"
_BOT_MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")


class ConversationalAgent(Protocol):
    """What the Slack app needs from `assistant.agent.agent.Agent`."""

    def respond(
        self, *, thread_id: str, message: str, user: UserContext, channel: str | None = None
    ) -> AgentReply:
        """One turn of the conversation `thread_id` (raises ValueError for an unusable message)."""
        ...


class ConversationLocks:
    """One lock per conversation, so two messages in one thread are answered in order."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Run the block while holding `key`'s lock."""
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = threading.Lock()
                self._locks[key] = lock
        with lock:
            yield


def instance_name() -> str:
    """A name for this app instance, unique among those sharing a database."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class SlackServices:
    """The shared state of one running Slack app."""

    settings: Settings
    agent: ConversationalAgent
    reviews: ReviewService
    client: WebClient
    directory: Directory
    limiter: RateLimiter
    locks: ConversationLocks = field(default_factory=ConversationLocks)
    training: TrainingService | None = None
    sync: TaskMessageSync | None = None  # set by create_app
    # This instance's name in the database (claims, handled events): host, process, and a random part.
    instance: str = field(default_factory=instance_name)

    def first_time(self, event_id: str | None) -> bool:
        """True when no instance has handled `event_id` yet, and this one now does (always true without an
        id). Slack re-sends an event it thinks was not acknowledged in time, with the same id, to whichever
        instance its load balancer picks: the record is in the database, shared by all of them."""
        if not event_id:
            return True
        try:
            return self.reviews.first_delivery(event_id, worker=self.instance)
        except SQLAlchemyError:
            # Answering a retry twice is better than answering nobody while the database hiccups.
            log.exception("could not record Slack event %s as handled", event_id)
            return True


def conversation_id(team: str | None, channel: str, thread_ts: str) -> str:
    """The agent's thread id for a Slack thread: 'slack:<team>:<channel>:<thread_ts>'."""
    return f"{THREAD_PREFIX}:{team or '-'}:{channel}:{thread_ts}"


def parse_conversation_id(thread_id: str | None) -> tuple[str, str] | None:
    """(channel, thread_ts) of a Slack thread id, or None for another kind of id."""
    parts = (thread_id or "").split(":")
    if len(parts) != 4 or parts[0] != THREAD_PREFIX:
        return None
    return parts[2], parts[3]


def actor(user_id: str) -> str:
    """Who acted, for the audit log and the inventory: the Slack user id, as the agent records it
    (`UserContext.user_id`), so a person's triages by form and by conversation are theirs alike."""
    return user_id


def assignee_ref(user_id: str) -> str:
    """How a Slack user is stored as a task's assignee: a mention, so messages render it as a name."""
    return f"<@{user_id}>"


def strip_mentions(text: str) -> str:
    """A message without user mentions (the '@govassist' that addressed the app)."""
    return " ".join(_BOT_MENTION.sub(" ", text or "").split())


def post(
    client: WebClient,
    *,
    channel: str,
    blocks: list[dict[str, Any]],
    text: str,
    thread_ts: str | None = None,
) -> tuple[str, str] | None:
    """chat.postMessage; (channel, ts) of the posted message, or None when Slack refused (logged)."""
    try:
        response = client.chat_postMessage(
            channel=channel, blocks=blocks, text=text[:3000], thread_ts=thread_ts, unfurl_links=False
        )
    except SlackApiError as exc:
        log.warning("chat.postMessage to %s failed: %s", channel, _error(exc))
        return None
    return str(response.get("channel") or channel), str(response.get("ts"))


def update(client: WebClient, *, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> bool:
    """chat.update; False when Slack refused (the message was deleted, say)."""
    try:
        client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text[:3000])
    except SlackApiError as exc:
        log.warning("chat.update of %s/%s failed: %s", channel, ts, _error(exc))
        return False
    return True


def ephemeral(
    client: WebClient,
    *,
    channel: str,
    user: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
) -> None:
    """chat.postEphemeral (only `user` sees it); errors are logged."""
    try:
        client.chat_postEphemeral(
            channel=channel, user=user, text=text[:3000], blocks=blocks, thread_ts=thread_ts
        )
    except SlackApiError as exc:
        log.warning("chat.postEphemeral in %s failed: %s", channel, _error(exc))


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error")) if exc.response is not None else str(exc)


def slack_error(exc: SlackApiError) -> str:
    """The error code of a failed Web API call ('not_in_channel', ...)."""
    return _error(exc)
