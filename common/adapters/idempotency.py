"""PostgresIdempotencyKeys: replay the first response to a retried POST (shared/api.md)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors

KEEP_S = 24 * 3600
# A request holding a key for longer than this is presumed dead; a retry may take over.
LEASE_S = 60


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


@dataclass(frozen=True)
class Claim:
    """Outcome of claiming a key: `acquired`, or a `replay`, or a conflict `reason`."""

    acquired: bool = False
    replay: StoredResponse | None = None
    reason: str | None = None  # "reused" (other body) or "in_progress"


class PostgresIdempotencyKeys:
    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    def claim(self, caller: str, key: str, request_hash: str) -> Claim:
        with translated_errors(), self._engine.begin() as db:
            row = db.execute(
                text("INSERT INTO idempotency_keys AS k (caller, key, request_hash, "
                     "locked_until, expires_at) VALUES (:caller, :key, :hash, "
                     "now() + make_interval(secs => :lease), "
                     "now() + make_interval(secs => :keep)) "
                     "ON CONFLICT (caller, key) DO UPDATE "
                     "SET request_hash = EXCLUDED.request_hash, "
                     "locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, "
                     "response_status = NULL, response_body = NULL "
                     "WHERE k.expires_at < now() OR (k.response_status IS NULL "
                     "AND k.locked_until < now() AND k.request_hash = EXCLUDED.request_hash) "
                     "RETURNING 1"),
                {"caller": caller, "key": key, "hash": request_hash, "lease": LEASE_S,
                 "keep": KEEP_S},
            ).first()
            if row is not None:
                return Claim(acquired=True)
            existing = db.execute(
                text("SELECT request_hash, response_status, response_body FROM idempotency_keys "
                     "WHERE caller = :caller AND key = :key"),
                {"caller": caller, "key": key},
            ).one()
        if existing.request_hash != request_hash:
            return Claim(reason="reused")
        if existing.response_status is None:
            return Claim(reason="in_progress")
        return Claim(replay=StoredResponse(existing.response_status, existing.response_body))

    def complete(self, caller: str, key: str, response: StoredResponse) -> None:
        with translated_errors(), self._engine.begin() as db:
            db.execute(
                text("UPDATE idempotency_keys SET response_status = :status, "
                     "response_body = :body, locked_until = NULL "
                     "WHERE caller = :caller AND key = :key"),
                {"caller": caller, "key": key, "status": response.status, "body": response.body},
            )

    def release(self, caller: str, key: str) -> None:
        """Forget a key whose request failed on our side, so that a retry runs again."""
        with translated_errors(), self._engine.begin() as db:
            db.execute(
                text("DELETE FROM idempotency_keys WHERE caller = :caller AND key = :key "
                     "AND response_status IS NULL"),
                {"caller": caller, "key": key},
            )

    def purge_expired(self) -> None:
        with translated_errors(), self._engine.begin() as db:
            db.execute(text("DELETE FROM idempotency_keys WHERE expires_at < now()"))
