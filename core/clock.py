"""The one clock every layer reads: timezone-aware UTC, so stored and compared times never mix naive ones."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
