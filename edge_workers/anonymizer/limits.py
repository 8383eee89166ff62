"""Batches per pseudonym and fixed window, counted in this instance's memory.

The anonymizer has no database (nothing identified lives at the edge), so the limit that
record_interactions kept in PostgreSQL is per instance here: with N instances of a region a
client may send up to N times the limit, which Cloud Run's session affinity keeps near 1.
The same RateLimiter port as common/ports/interactions.py (reserve, release).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, Sequence

MAX_BUCKETS = 100_000  # past it the oldest windows are forgotten (memory stays bounded)


class MemoryRateLimiter:
    def __init__(self, window_s: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s, self._clock = window_s, clock
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def reserve(self, buckets: Sequence[tuple[str, int]]) -> int | None:
        """Count one hit in each bucket; the seconds until the window ends if any is full
        (then none is counted)."""
        now = self._clock()
        window = int(now // self._window_s)
        with self._lock:
            if any(self._counts.get((b, window), 0) >= limit for b, limit in buckets):
                return max(1, math.ceil((window + 1) * self._window_s - now))
            for bucket, _ in buckets:
                self._counts[(bucket, window)] = self._counts.get((bucket, window), 0) + 1
            self._forget_before(window)
        return None

    def release(self, buckets: Sequence[str]) -> None:
        """Give back the hits of a request that did not go through."""
        window = int(self._clock() // self._window_s)
        with self._lock:
            for bucket in buckets:
                if self._counts.get((bucket, window), 0) > 0:
                    self._counts[(bucket, window)] -= 1

    def _forget_before(self, window: int) -> None:
        if len(self._counts) > MAX_BUCKETS:
            for key in [k for k in self._counts if k[1] < window]:
                del self._counts[key]
            while len(self._counts) > MAX_BUCKETS:
                del self._counts[next(iter(self._counts))]
