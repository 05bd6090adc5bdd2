"""What govassist's buttons and modals carry between Slack and the app: one typed payload with readable
keys, as a button's `value` or a modal's `private_metadata` (compact JSON).

Messages posted before the keys were readable carry single letters (`{"s": "cv-ranker", "v": 2}`), and
Slack keeps those buttons working for as long as the message exists, so `ActionPayload.parse` reads both.
Two old letters meant one thing or another by their value: `s` a system id (text) or a training session
(a number), `c` the cited ids (a list) or a channel (text).

    ActionPayload(system_id="cv-ranker", version=2).encode()  # '{"system_id":"cv-ranker","version":2}'
    ActionPayload.parse('{"s":"cv-ranker","v":2}').system_id  # 'cv-ranker'
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Old single letters and what they were; `s` and `c` are decided by their value (see `_readable`).
LEGACY_KEYS = {
    "v": "version",
    "p": "position",
    "o": "option",
    "t": "thread_id",
    "m": "message_id",
    "q": "question",
    "g": "grounded",
    "u": "user",
    "th": "thread_ts",
    "f": "feedback_id",
    "e": "escalation_id",
}


class ActionPayload(BaseModel):
    """The state a button or modal carries back (every field optional: each surface sets its own)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    system_id: str | None = Field(default=None, description="A triage card's system.")
    version: int | None = Field(default=None, description="The assessment version a triage card shows.")
    session_id: int | None = Field(default=None, description="A training session (quiz).")
    position: int | None = Field(default=None, description="A quiz question's number in its session.")
    option: int | None = Field(default=None, description="The option a quiz button answers with (0-based).")
    thread_id: str | None = Field(default=None, description="The agent's conversation id of the thread.")
    message_id: int | None = Field(default=None, description="The stored agent reply a button is under.")
    question: str | None = Field(default=None, description="The question the reply answered.")
    citations: list[str] | None = Field(default=None, description="The ids the reply cited.")
    grounded: bool | None = Field(default=None, description="Whether the reply rested on sources.")
    user: str | None = Field(default=None, description="Who opened the modal.")
    channel: str | None = Field(default=None, description="Where the modal was opened from.")
    thread_ts: str | None = Field(default=None, description="The Slack thread the modal was opened in.")
    feedback_id: int | None = Field(default=None, description="The stored 'not helpful' verdict.")
    escalation_id: int | None = Field(default=None, description="The escalation an approval answers.")
    task: int | None = Field(default=None, description="The review task a decision form decides.")

    @model_validator(mode="before")
    @classmethod
    def _readable(cls, data: Any) -> Any:
        return readable_keys(data) if isinstance(data, dict) else data

    @classmethod
    def parse(cls, raw: str | None) -> ActionPayload:
        """The payload in a button value or modal metadata; a field of the wrong type is left out, and
        text that is not a JSON object gives the empty payload (a button from elsewhere does nothing)."""
        try:
            data = json.loads(raw or "{}")
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        data = readable_keys(data)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            return cls.model_validate({k: v for k, v in data.items() if k not in bad})

    def encode(self) -> str:
        """Compact JSON of the fields that were set (a field set to None stays, as null)."""
        return json.dumps(
            self.model_dump(mode="json", exclude_unset=True), separators=(",", ":"), ensure_ascii=False
        )


def readable_keys(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with old single-letter keys renamed to the readable ones (a readable key already present
    wins)."""
    out = {k: v for k, v in data.items() if k not in LEGACY_KEYS and k not in {"s", "c"}}
    for old, new in LEGACY_KEYS.items():
        if old in data:
            out.setdefault(new, data[old])
    if "s" in data:
        out.setdefault("session_id" if isinstance(data["s"], int) else "system_id", data["s"])
    if "c" in data:
        out.setdefault("citations" if isinstance(data["c"], list) else "channel", data["c"])
    return out
