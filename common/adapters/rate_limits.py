"""PostgresRateLimiter: fixed-window counters shared by every function instance.

A slot is reserved before the guarded action runs (one atomic upsert per bucket), so
concurrent attempts cannot all pass a check that none of them has counted yet. Bucket
names are stored hashed: no email or client address is written to the table.
"""

from __future__ import annotations

import hashlib
import time
from typing import Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors

# Buckets in sorted order, so two reservations that share rows lock them in the same order.
_RESERVE = text(
    "INSERT INTO rate_limit_counters (bucket, window_start, hits) "
    "SELECT bucket, to_timestamp(:start), 1 FROM unnest(CAST(:buckets AS text[])) AS t(bucket) "
    "ORDER BY bucket "
    "ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1 "
    "RETURNING bucket, hits"
)
_RELEASE = text(
    "UPDATE rate_limit_counters SET hits = hits - 1 "
    "WHERE bucket = ANY(CAST(:buckets AS text[])) AND window_start = to_timestamp(:start) "
    "AND hits > 0"
)


def _stored(bucket: str) -> str:
    """`login:email:<value>` → `login:email:<sha-256 of the name>`: no raw value is kept."""
    scope = ":".join(bucket.split(":", 2)[:2])
    return f"{scope}:{hashlib.sha256(bucket.encode()).hexdigest()[:32]}"


class PostgresRateLimiter:
    def __init__(self, engine: sqlalchemy.Engine, window_s: int) -> None:
        self._engine = engine
        self._window_s = window_s

    def _window(self) -> tuple[float, int]:
        now = time.time()
        start = now - now % self._window_s
        return start, int(start + self._window_s - now) + 1

    def reserve(self, limits: Sequence[tuple[str, int]]) -> int | None:
        """Take one slot in every (bucket, limit) of this window, all or none.

        Returns None when the slots are taken, or the seconds until the window ends when
        any bucket is full (then nothing is counted).
        """
        start, retry_after = self._window()
        wanted = {_stored(bucket): limit for bucket, limit in limits}
        with translated_errors(), self._engine.connect() as db, db.begin() as tx:
            rows = db.execute(_RESERVE, {"buckets": sorted(wanted), "start": start}).all()
            if any(row.hits > wanted[row.bucket] for row in rows):
                tx.rollback()
                return retry_after
        return None

    def release(self, buckets: Sequence[str]) -> None:
        """Give back one slot per bucket (the action succeeded and must not count).

        A release that crosses a window boundary gives back a slot of the new window, if any.
        """
        start, _ = self._window()
        with translated_errors(), self._engine.begin() as db:
            db.execute(_RELEASE, {"buckets": sorted({_stored(b) for b in buckets}),
                                  "start": start})

    def forget_old_windows(self) -> None:
        with translated_errors(), self._engine.begin() as db:
            db.execute(text("DELETE FROM rate_limit_counters "
                            "WHERE window_start < now() - interval '1 day'"))
