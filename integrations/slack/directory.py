"""Who is speaking, and where: a Slack user's govassist groups and what a channel's readers may see.

Groups come from configuration (`slack_groups`: a user id, a user group id or an '@handle' mapped to
govassist groups) and from Slack user groups (`usergroups.list`, `usergroups.users.list`). A reply is
read by everyone in the conversation, so the audience is the conversation's, not only the asker's:

- a public channel, or one shared with another organisation: public knowledge only;
- a private channel or group DM: the groups every member has (restricted documents of a group only
  when all members belong to it);
- a DM with the app: the user's own groups.

Anything that cannot be checked (an API error) falls back to the narrower audience.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.agent.schemas import UserContext
from core.config import Settings

CACHE_SECONDS = 300.0
MAX_MEMBERS = 500

log = logging.getLogger(__name__)


class ChannelKind(StrEnum):
    """How widely a conversation is read."""

    PUBLIC = "public"
    PRIVATE = "private"
    DIRECT = "direct"


class _Cache:
    """A small thread-safe cache with expiry."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        value = load()
        with self._lock:
            self._data[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class Directory:
    """Resolves Slack users and conversations into govassist audiences, with caching."""

    def __init__(
        self,
        client: WebClient,
        settings: Settings,
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.mapping = {key.strip(): list(value) for key, value in settings.slack_groups.items()}
        self.rai_team = [entry.strip() for entry in settings.slack_rai_team if entry.strip()]
        self._cache = _Cache(ttl, clock)
        self._warned: set[str] = set()

    # --- users ----------------------------------------------------------------------------------------------

    def groups_of(self, user_id: str) -> frozenset[str]:
        """The govassist groups of a Slack user: configured directly, or through their user groups."""
        groups = set(self.mapping.get(user_id, []))
        for group_id, handle in self.usergroups_of(user_id):
            groups.update(self.mapping.get(group_id, []))
            groups.update(self.mapping.get(f"@{handle}", []))
        return frozenset(groups)

    def usergroups_of(self, user_id: str) -> list[tuple[str, str]]:
        """(id, handle) of the Slack user groups that configuration mentions and the user belongs to."""
        wanted = {key for key in [*self.mapping, *self.rai_team] if key.startswith(("S", "@"))}
        if not wanted:
            return []
        found = []
        for group_id, handle in self._usergroups():
            named = group_id in wanted or f"@{handle}" in wanted
            if named and user_id in self._usergroup_members(group_id):
                found.append((group_id, handle))
        return found

    def in_rai_team(self, user_id: str) -> bool:
        """Whether the user is in the configured RAI team (true for everyone when none is configured)."""
        if not self.rai_team:
            return True
        if user_id in self.rai_team:
            return True
        mine = self.usergroups_of(user_id)
        return any(group_id in self.rai_team or f"@{handle}" in self.rai_team for group_id, handle in mine)

    def display_name(self, user_id: str) -> str | None:
        """The user's display name (users.info), or None when Slack will not say."""

        def load() -> str | None:
            data = self._call("users_info", user=user_id)
            user = (data or {}).get("user") or {}
            profile = user.get("profile") or {}
            return profile.get("display_name") or user.get("real_name") or user.get("name") or None

        value = self._cache.get(f"name:{user_id}", load)
        return value if isinstance(value, str) else None

    def user_id_by_email(self, email: str) -> str | None:
        """The Slack user with this e-mail address (users.lookupByEmail), if any."""
        data = self._call("users_lookupByEmail", email=email)
        user = (data or {}).get("user") or {}
        return user.get("id")

    # --- conversations --------------------------------------------------------------------------------------

    def channel_kind(self, channel_id: str, channel_type: str | None = None) -> ChannelKind:
        """Public, private or direct: from the event's channel type when given, else conversations.info."""
        if channel_type == "im" or channel_id.startswith("D"):
            return ChannelKind.DIRECT
        value = self._cache.get(f"kind:{channel_id}", lambda: self._load_kind(channel_id, channel_type))
        return ChannelKind(value)

    def _load_kind(self, channel_id: str, channel_type: str | None) -> str:
        data = self._call("conversations_info", channel=channel_id)
        channel = (data or {}).get("channel")
        if not channel:
            # Unknown: the event's type may still say private; otherwise assume the widest readership.
            return (
                ChannelKind.PRIVATE.value if channel_type in {"group", "mpim"} else ChannelKind.PUBLIC.value
            )
        if channel.get("is_im"):
            return ChannelKind.DIRECT.value
        # Slack Connect channels reach people outside the organisation: public knowledge only.
        if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"):
            return ChannelKind.PUBLIC.value
        if channel.get("is_private") or channel.get("is_mpim") or channel.get("is_group"):
            return ChannelKind.PRIVATE.value
        return ChannelKind.PUBLIC.value

    def is_public(self, channel_id: str, channel_type: str | None = None) -> bool:
        """Whether only public knowledge may be used in this conversation."""
        return self.channel_kind(channel_id, channel_type) is ChannelKind.PUBLIC

    def members(self, channel_id: str) -> list[str] | None:
        """The conversation's members (conversations.members), or None if Slack will not list them."""

        def load() -> list[str] | None:
            members: list[str] = []
            cursor = None
            while True:
                data = self._call("conversations_members", channel=channel_id, limit=200, cursor=cursor)
                if data is None:
                    return None
                members.extend(data.get("members") or [])
                cursor = (data.get("response_metadata") or {}).get("next_cursor")
                if not cursor or len(members) > MAX_MEMBERS:
                    return members if len(members) <= MAX_MEMBERS else None

        value = self._cache.get(f"members:{channel_id}", load)
        return value if isinstance(value, list) else None

    def user_context(self, user_id: str, channel_id: str, channel_type: str | None = None) -> UserContext:
        """What `user_id` may be shown in `channel_id`, given everyone who reads it there."""
        kind = self.channel_kind(channel_id, channel_type)
        name = self.display_name(user_id)
        if kind is ChannelKind.PUBLIC:
            return UserContext(user_id=user_id, groups=frozenset(), public_only=True, display_name=name)
        groups = self.groups_of(user_id)
        if kind is ChannelKind.PRIVATE and groups:
            groups = self._shared_groups(channel_id, user_id, groups)
        return UserContext(user_id=user_id, groups=groups, public_only=False, display_name=name)

    def channel_context(self, channel_id: str, channel_type: str | None = None) -> UserContext:
        """The audience of a conversation with no particular asker (re-rendered messages)."""
        kind = self.channel_kind(channel_id, channel_type)
        return UserContext(user_id="channel:" + channel_id, public_only=kind is ChannelKind.PUBLIC)

    def _shared_groups(self, channel_id: str, user_id: str, groups: frozenset[str]) -> frozenset[str]:
        members = self.members(channel_id)
        if members is None:
            return frozenset()
        shared = set(groups)
        bot = self.bot_user_id()
        for member in members:
            if member in {user_id, bot}:
                continue
            shared &= self.groups_of(member)
            if not shared:
                break
        return frozenset(shared)

    def bot_user_id(self) -> str | None:
        """The app's own bot user (auth.test)."""
        value = self._cache.get("auth", lambda: (self._call("auth_test") or {}).get("user_id"))
        return value if isinstance(value, str) else None

    # --- Slack user groups ----------------------------------------------------------------------------------

    def _usergroups(self) -> list[tuple[str, str]]:
        def load() -> list[tuple[str, str]]:
            data = self._call("usergroups_list", include_disabled=False)
            return [(g["id"], g.get("handle", "")) for g in (data or {}).get("usergroups") or [] if "id" in g]

        value = self._cache.get("usergroups", load)
        return list(value)

    def _usergroup_members(self, group_id: str) -> frozenset[str]:
        def load() -> frozenset[str]:
            data = self._call("usergroups_users_list", usergroup=group_id)
            return frozenset((data or {}).get("users") or [])

        value = self._cache.get(f"usergroup:{group_id}", load)
        return frozenset(value)

    # --- calls ----------------------------------------------------------------------------------------------

    def _call(self, method: str, **params: Any) -> dict[str, Any] | None:
        """A Web API call's data, or None on an error (logged once per method and error)."""
        try:
            response = getattr(self.client, method)(**{k: v for k, v in params.items() if v is not None})
        except SlackApiError as exc:
            error = str(exc.response.get("error", exc)) if exc.response is not None else str(exc)
            key = f"{method}:{error}"
            if key not in self._warned:
                self._warned.add(key)
                log.warning("Slack %s failed: %s", method, error)
            return None
        return dict(response.data) if isinstance(response.data, dict) else None

    def forget(self) -> None:
        """Drop every cached answer (tests, or after a configuration change)."""
        self._cache.clear()
