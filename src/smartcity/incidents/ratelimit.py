"""A per-address token bucket for the public help endpoint (in-process, thread-safe).

Several app processes each keep their own buckets; that multiplies the allowance by the
number of processes, which is acceptable for a flood guard (a proxy can add a shared limit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_KEYS = 50_000  # beyond this, the oldest buckets are forgotten (memory stays bounded)


class TokenBucket:
    """``rate`` tokens per second per key, at most ``burst`` saved up."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False when its bucket is empty."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > MAX_KEYS:
                self._buckets.pop(next(iter(self._buckets)))
            return allowed
