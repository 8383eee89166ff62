"""PostgresIdempotencyKeys: replay the first response to a retried POST (shared/api.md).

A key is claimed with a lease in a short transaction of its own; its response is stored
by `complete` inside the transaction of the request's effect (common/adapters/
unit_of_work.py), guarded by the claim, so an effect and its stored response commit
together or not at all, and a request whose lease a retry took over commits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    """Outcome of claiming a key: a `lease` (acquired), or a `replay`, or a conflict `reason`."""

    lease: datetime | None = None  # identifies this claim: a takeover sets another
    replay: StoredResponse | None = None
    reason: str | None = None  # "reused" (other body) or "in_progress"


class ClaimLost(Exception):
    """Another request took over this key after its lease ran out: commit nothing."""


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
                     "RETURNING k.locked_until"),
                {"caller": caller, "key": key, "hash": request_hash, "lease": LEASE_S,
                 "keep": KEEP_S},
            ).first()
            if row is not None:
                return Claim(lease=row.locked_until)
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

    @staticmethod
    def complete(db: sqlalchemy.Connection, caller: str, key: str, lease: datetime,
                 response: StoredResponse) -> None:
        """Store the response in `db`'s transaction (the effect's); ClaimLost if this
        request no longer holds the key."""
        stored = db.execute(
            text("UPDATE idempotency_keys SET response_status = :status, "
                 "response_body = :body, locked_until = NULL "
                 "WHERE caller = :caller AND key = :key AND locked_until = :lease "
                 "AND response_status IS NULL"),
            {"caller": caller, "key": key, "lease": lease, "status": response.status,
             "body": response.body},
        ).rowcount
        if stored != 1:
            raise ClaimLost(key)

    @staticmethod
    def release(db: sqlalchemy.Connection, caller: str, key: str, lease: datetime) -> None:
        """Forget a key whose request failed on our side, so that a retry runs again."""
        db.execute(
            text("DELETE FROM idempotency_keys WHERE caller = :caller AND key = :key "
                 "AND locked_until = :lease AND response_status IS NULL"),
            {"caller": caller, "key": key, "lease": lease},
        )

    def purge_expired(self) -> None:
        with translated_errors(), self._engine.begin() as db:
            db.execute(text("DELETE FROM idempotency_keys WHERE expires_at < now()"))
