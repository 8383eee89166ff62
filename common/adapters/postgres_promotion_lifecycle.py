"""PostgresPromotionLifecycle: the promotions a schedule or an event moves on, claimed or
locked, and a vendor's promotions with their impressions and clicks (migrations 0013,
0016). "Now" comes in as a parameter (common/clock.py), never PostgreSQL's now()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import text

from common.adapters.postgres_promotions import PostgresPromotions, _promotion
from common.adapters.promotions_unit_of_work import PromotionsUnitOfWork
from common.adapters.row_locks import RowLocks
from common.ports.promotion_lifecycle import DuePromotion, VendorPromotion

_COLUMNS = ("p.id, p.product_id, p.vendor_id, p.status, p.starts_at, p.ends_at, p.days, "
            "p.daily_rate, p.fee_amount, p.paid_with, p.payment_ref, p.refunded_amount, "
            "p.created_at, p.ended_at, p.end_reason")
# Claimed with SKIP LOCKED: a second run, a cancel or a consumer holding one is not waited for.
_CLAIM_DUE = text("""
SELECT id FROM promotions
WHERE (status = 'scheduled' AND starts_at <= :now) OR (status = 'active' AND ends_at <= :now)
ORDER BY id LIMIT :limit
FOR UPDATE SKIP LOCKED
""")
_DUE = text(f"""
SELECT {_COLUMNS}, pr.status = 'listed' AS product_listed, a.state = 'active' AS vendor_active
FROM promotions p
JOIN products pr ON pr.id = p.product_id
JOIN accounts a ON a.id = p.vendor_id
WHERE p.id = ANY(CAST(:ids AS uuid[])) ORDER BY p.id
""")
_RUNNING = "SELECT id FROM promotions WHERE {column} = :id AND status IN ('scheduled', 'active')"
_ACTIVATE = text("UPDATE promotions SET status = 'active' WHERE id = :id AND status = 'scheduled'")
_OF_VENDOR = text(f"""
SELECT {_COLUMNS}, coalesce(s.impressions, 0) AS impressions, coalesce(s.clicks, 0) AS clicks
FROM promotions p
LEFT JOIN (SELECT promotion_id, sum(impressions) AS impressions, sum(clicks) AS clicks
           FROM promotion_stats GROUP BY promotion_id) s ON s.promotion_id = p.id
WHERE p.vendor_id = :vendor_id
ORDER BY p.created_at DESC, p.id DESC LIMIT :limit
""")


class PostgresPromotionLifecycle:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def claim_due(self, now: datetime, limit: int) -> list[DuePromotion]:
        ids = [str(row.id) for row in self._db.execute(_CLAIM_DUE, {"now": now, "limit": limit})]
        if not ids:
            return []
        rows = self._db.execute(_DUE, {"ids": ids})
        return [DuePromotion(_promotion(row), bool(row.product_listed), bool(row.vendor_active))
                for row in rows]

    def lock_running_of_product(self, product_id: str) -> list[str]:
        return self._lock_running("product_id", product_id)

    def lock_running_of_vendor(self, vendor_id: str) -> list[str]:
        return self._lock_running("vendor_id", vendor_id)

    def activate(self, promotion_id: str) -> bool:
        return self._db.execute(_ACTIVATE, {"id": promotion_id}).rowcount == 1

    def of_vendor(self, vendor_id: str, limit: int) -> list[VendorPromotion]:
        rows = self._db.execute(_OF_VENDOR, {"vendor_id": vendor_id, "limit": limit})
        return [_vendor_promotion(row) for row in rows]

    def _lock_running(self, column: str, value: str) -> list[str]:
        ids = [str(row.id) for row in self._db.execute(text(_RUNNING.format(column=column)),
                                                        {"id": value})]
        if not ids:
            return []
        locking = self._locks.clause("promotions", ids)
        rows = self._db.execute(text(
            "SELECT id FROM promotions WHERE id = ANY(CAST(:ids AS uuid[])) "
            f"AND status IN ('scheduled', 'active') ORDER BY id{locking}"), {"ids": ids})
        return [str(row.id) for row in rows]


def _vendor_promotion(row: Any) -> VendorPromotion:
    return VendorPromotion(_promotion(row), int(row.impressions), int(row.clicks))


class PromotionLifecycleUnitOfWork(PromotionsUnitOfWork):
    """Promotions' unit of work plus `lifecycle`: what the schedule and the consumers move."""

    promotions: PostgresPromotions

    def __enter__(self) -> "PromotionLifecycleUnitOfWork":
        super().__enter__()
        self.lifecycle = PostgresPromotionLifecycle(self.connection, self.locks)
        return self
