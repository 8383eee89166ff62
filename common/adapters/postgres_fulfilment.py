"""PostgresFulfilment: an order's parts as shipping and delivery change them, inside a unit
of work (tables of common/migrations/versions/0007_orders.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.row_locks import RowLocks
from common.domain.fulfilment import FulfilmentOrder, Part
from common.domain.orders import OrderStatus, PartStatus

_PARTS = ("SELECT id, vendor_id, status, tracking, shipped_at, delivered_at FROM order_parts "
          "WHERE order_id = :id ORDER BY id")
_SAVE_PART = text("""
UPDATE order_parts SET status = :status, tracking = :tracking, shipped_at = :shipped_at,
    delivered_at = :delivered_at
WHERE id = :id
""")
_STEP = text("INSERT INTO order_steps (order_id, part_id, step, detail) "
             "VALUES (:order_id, :part_id, :step, CAST(:detail AS jsonb))")


class PostgresFulfilment:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def order(self, order_id: str, *, for_update: bool = False) -> FulfilmentOrder | None:
        lock = self._locks.clause("orders", [order_id]) if for_update else ""
        row = self._db.execute(text(f"SELECT id, buyer_id, status FROM orders WHERE id = :id"
                                    f"{lock}"), {"id": order_id}).first()
        if row is None:
            return None
        parts = list(self._db.execute(text(_PARTS), {"id": order_id}))
        if for_update and parts:
            locking = self._locks.clause("order_parts", [str(part.id) for part in parts])
            parts = list(self._db.execute(text(_PARTS + locking), {"id": order_id}))
        return FulfilmentOrder(str(row.id), str(row.buyer_id), OrderStatus(row.status), tuple(
            Part(str(p.id), str(p.vendor_id), PartStatus(p.status), p.tracking, p.shipped_at,
                 p.delivered_at) for p in parts))

    def save(self, order: FulfilmentOrder, changed: Sequence[Part], step: str) -> None:
        self._db.execute(_SAVE_PART, [
            {"id": part.id, "status": part.status.value, "tracking": part.tracking,
             "shipped_at": part.shipped_at, "delivered_at": part.delivered_at}
            for part in changed])
        self._db.execute(text("UPDATE orders SET status = :status, updated_at = now() "
                              "WHERE id = :id AND status <> :status"),
                         {"id": order.id, "status": order.status.value})
        self._db.execute(_STEP, [
            {"order_id": order.id, "part_id": part.id, "step": step,
             "detail": json.dumps({"vendor_id": part.vendor_id,
                                   **({"tracking": part.tracking} if step == "part_shipped"
                                      and part.tracking else {})})}
            for part in changed])

    def overdue_orders(self, shipped_before: datetime, limit: int) -> list[str]:
        rows = self._db.execute(text(
            "SELECT DISTINCT order_id FROM order_parts "
            "WHERE status = 'shipped' AND shipped_at <= :before ORDER BY order_id LIMIT :limit"),
            {"before": shipped_before, "limit": limit})
        return [str(row.order_id) for row in rows]

    def now(self) -> datetime:
        return self._db.execute(text("SELECT now()")).scalar_one()
