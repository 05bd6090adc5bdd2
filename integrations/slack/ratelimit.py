"""Per-user rate limits: a sliding window of the last requests, kept in memory (one process)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from pydantic import BaseModel


class RateDecision(BaseModel):
    """Whether a request may go ahead, and if not, when the next one may."""

    allowed: bool
    retry_after: float = 0.0


class RateLimiter:
    """At most `limit` requests per `window` seconds per key (a Slack user id). Thread-safe."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("rate limit: need limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> RateDecision:
        """Count one request for `key` if it is within the limit; refused requests are not counted."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return RateDecision(allowed=False, retry_after=round(hits[0] + self.window - now, 1))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle users so the table cannot grow without bound
                for idle in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[idle]
            return RateDecision(allowed=True)
