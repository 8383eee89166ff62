"""PostgresRateLimiter: fixed-window counters shared by every function instance."""

from __future__ import annotations

import time
from typing import Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors


class PostgresRateLimiter:
    def __init__(self, engine: sqlalchemy.Engine, window_s: int) -> None:
        self._engine = engine
        self._window_s = window_s

    def _window(self) -> tuple[float, int]:
        now = time.time()
        start = now - now % self._window_s
        return start, int(start + self._window_s - now) + 1

    def retry_after(self, limits: Sequence[tuple[str, int]]) -> int | None:
        """Seconds to wait if any (bucket, limit) is used up in this window, else None."""
        start, retry_after = self._window()
        with translated_errors(), self._engine.connect() as db:
            rows = db.execute(
                text("SELECT bucket, hits FROM rate_limit_counters WHERE bucket = ANY(:buckets) "
                     "AND window_start = to_timestamp(:start)"),
                {"buckets": [bucket for bucket, _ in limits], "start": start},
            ).all()
        hits = {row.bucket: row.hits for row in rows}
        if any(hits.get(bucket, 0) >= limit for bucket, limit in limits):
            return retry_after
        return None

    def hit(self, buckets: Sequence[str]) -> None:
        """Count one attempt against each bucket in the current window."""
        start, _ = self._window()
        with translated_errors(), self._engine.begin() as db:
            db.execute(
                text("INSERT INTO rate_limit_counters (bucket, window_start, hits) "
                     "VALUES (:bucket, to_timestamp(:start), 1) ON CONFLICT (bucket, window_start) "
                     "DO UPDATE SET hits = rate_limit_counters.hits + 1"),
                [{"bucket": bucket, "start": start} for bucket in buckets],
            )

    def forget_old_windows(self) -> None:
        with translated_errors(), self._engine.begin() as db:
            db.execute(text("DELETE FROM rate_limit_counters "
                            "WHERE window_start < now() - interval '1 day'"))
