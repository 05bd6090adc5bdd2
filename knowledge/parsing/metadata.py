"""Document metadata found in the text: Markdown front-matter and the `as_of` date."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_LAST_UPDATED = re.compile(
    r"^[\s>*_#-]*last[ \t]+updated[ \t]*[*_]*[ \t]*:[ \t]*[*_]*[ \t]*(?P<date>\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE | re.MULTILINE,
)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading `---` YAML block off `text`; return (its mapping, the remaining text).

    A leading block that is not a YAML mapping is not front-matter (a Markdown rule, say): then the
    mapping is empty and the text is returned unchanged.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    try:
        loaded = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(loaded, dict):
        return {}, text
    return {str(key): value for key, value in loaded.items()}, text[match.end() :]


def to_date(value: object) -> date | None:
    """`value` as a date when it is a date, a datetime or an ISO `YYYY-MM-DD...` string, else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def find_as_of(text: str, front_matter: dict[str, Any] | None = None) -> date | None:
    """The date the text is current as of: front-matter `as_of`, else a `Last updated: YYYY-MM-DD` line."""
    if front_matter and (found := to_date(front_matter.get("as_of"))) is not None:
        return found
    match = _LAST_UPDATED.search(text)
    return to_date(match.group("date")) if match else None
