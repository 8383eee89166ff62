"""Row locks: every `SELECT … FOR UPDATE` of ours is written here, in one global order.

A transaction locks rows table by table in LOCK_ORDER and, within a table, by primary key
ascending (several rows of a table in one statement, sorted by id). Asking for a lock
that sorts before one the transaction already holds could deadlock against a transaction
doing the opposite under load: it raises LockOrderError at once, in tests as in
production, instead. Re-locking a row already held is fine. Claims with SKIP LOCKED never
wait, so they cannot deadlock and are written where they are used.
"""

from __future__ import annotations

import uuid
from typing import Iterable, Sequence

import sqlalchemy
from sqlalchemy import text

# Outermost first. A use case that needs rows of several tables takes them in this order.
LOCK_ORDER = ("accounts", "products", "product_images", "orders", "order_parts",
              "stock_reservations", "payments", "vendor_payment_accounts", "vendor_transfers",
              "refunds", "promotions", "user_features")


class LockOrderError(RuntimeError):
    """A transaction asked for a row lock out of the global order (a bug)."""


class RowLocks:
    """The row locks one transaction holds (one per unit of work)."""

    def __init__(self) -> None:
        self._held: set[tuple[str, str]] = set()
        self._highest: tuple[int, str] | None = None

    def clause(self, table: str, ids: Iterable[str], *, alias: str | None = None) -> str:
        """The locking clause for a statement that selects exactly these rows of `table`
        (its ORDER BY, if several, must be by id): checks the order and records them."""
        wanted = _in_key_order(ids)
        fresh = [row_id for row_id in wanted if (table, row_id) not in self._held]
        if fresh:
            rank = LOCK_ORDER.index(table)
            first = (rank, fresh[0])
            if self._highest is not None and first < self._highest:
                raise LockOrderError(
                    f"{table} {fresh[0]} locked after {LOCK_ORDER[self._highest[0]]} "
                    f"{self._highest[1]}: take locks in the order of row_locks.LOCK_ORDER")
            self._highest = max(self._highest or first, (rank, fresh[-1]))
            self._held.update((table, row_id) for row_id in fresh)
        return f" FOR UPDATE OF {alias}" if alias else " FOR UPDATE"

    def lock(self, db: sqlalchemy.Connection, table: str, ids: Sequence[str]) -> list[str]:
        """Lock these rows of `table` in one statement, by id; the ids that exist."""
        if table not in LOCK_ORDER:
            raise LockOrderError(f"{table} has no place in row_locks.LOCK_ORDER")
        locking = self.clause(table, ids)
        rows = db.execute(text(f"SELECT id FROM {table} WHERE id = ANY(CAST(:ids AS uuid[])) "
                               f"ORDER BY id{locking}"), {"ids": _in_key_order(ids)})
        return [str(row.id) for row in rows]


def _in_key_order(ids: Iterable[str]) -> list[str]:
    """Canonical UUIDs, sorted as PostgreSQL sorts the uuid type."""
    return sorted({str(uuid.UUID(str(row_id))) for row_id in ids})
