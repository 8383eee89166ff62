"""PostgresPromotions: promotions, vendors' saved cards, and the payable of a vendor's parts
not yet transferred (migration 0013). Times compared with "now" come in as parameters
(common/clock.py), never PostgreSQL's now()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from common import clock
from common.adapters.database import sqlstate
from common.adapters.row_locks import RowLocks
from common.domain.errors import PromotionOverlaps
from common.domain.ledger import Account
from common.domain.promotions import PaidWith, Promotion, PromotionStatus, Schedule
from common.ports.promotions import PromotedProduct, SavedCard

EXCLUSION_VIOLATION = "23P01"
_COLUMNS = ("id, product_id, vendor_id, status, starts_at, ends_at, days, daily_rate, "
            "fee_amount, paid_with, payment_ref, refunded_amount, created_at, ended_at, "
            "end_reason")
_INSERT = text("""
INSERT INTO promotions (id, product_id, vendor_id, status, starts_at, ends_at, days,
    daily_rate, fee_amount, paid_with, payment_ref, idempotency_key, request_hash)
VALUES (:id, :product_id, :vendor_id, :status, :starts_at, :ends_at, :days, :daily_rate,
    :fee_amount, :paid_with, :payment_ref, :key, :hash)
ON CONFLICT (vendor_id, idempotency_key) DO NOTHING
RETURNING id
""")
_OVERLAPPING = text("""
SELECT 1 FROM promotions WHERE product_id = :product_id AND status IN ('scheduled', 'active')
  AND tstzrange(starts_at, ends_at) && tstzrange(:starts_at, :ends_at) LIMIT 1
""")
_UNSENT = text("""
SELECT part_id FROM vendor_transfers
WHERE vendor_id = :vendor_id AND status IN ('held', 'pending') AND sent_at IS NULL
ORDER BY part_id
""")
_PART_PAYABLES = text("""
SELECT part_id, -sum(amount) AS payable FROM ledger_entries
WHERE part_id = ANY(CAST(:ids AS uuid[])) AND vendor_id IS NOT NULL GROUP BY part_id
""")
_FEE_PARTS = text("""
SELECT e.part_id, e.amount FROM ledger_entries e
JOIN ledger_journals j ON j.id = e.journal_id
WHERE j.idempotency_key = :key AND e.account = :account
""")
_SAVE_CARD = text("""
INSERT INTO vendor_payment_cards (vendor_id, provider_customer_ref, payment_method_ref,
    setup_ref, status, updated_at)
VALUES (:vendor_id, :customer_ref, :method_ref, :setup_ref, :status, :at)
ON CONFLICT (vendor_id) DO UPDATE SET provider_customer_ref = EXCLUDED.provider_customer_ref,
    payment_method_ref = EXCLUDED.payment_method_ref, setup_ref = EXCLUDED.setup_ref,
    status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
""")


class PostgresPromotions:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def product(self, product_id: str) -> PromotedProduct | None:
        row = self._db.execute(text(
            "SELECT id, vendor_id, category_id, status FROM products WHERE id = :id"),
            {"id": product_id}).first()
        if row is None:
            return None
        return PromotedProduct(str(row.id), str(row.vendor_id), row.category_id,
                               row.status == "listed")

    def overlapping(self, product_id: str, schedule: Schedule) -> bool:
        return self._db.execute(_OVERLAPPING, {
            "product_id": product_id, "starts_at": schedule.starts_at,
            "ends_at": schedule.ends_at}).first() is not None

    def add(self, promotion: Promotion, *, idempotency_key: str, request_hash: str) -> bool:
        values = {"id": promotion.id, "product_id": promotion.product_id,
                  "vendor_id": promotion.vendor_id, "status": promotion.status.value,
                  "starts_at": promotion.starts_at, "ends_at": promotion.ends_at,
                  "days": promotion.days, "daily_rate": promotion.daily_rate,
                  "fee_amount": promotion.fee_amount, "paid_with": promotion.paid_with.value,
                  "payment_ref": promotion.payment_ref, "key": idempotency_key,
                  "hash": request_hash}
        try:
            with self._db.begin_nested():
                return self._db.execute(_INSERT, values).first() is not None
        except sa_exc.DBAPIError as error:
            if sqlstate(error) == EXCLUSION_VIOLATION:
                raise PromotionOverlaps() from None
            raise

    def for_key(self, vendor_id: str, idempotency_key: str) -> tuple[Promotion, str] | None:
        row = self._db.execute(text(
            f"SELECT {_COLUMNS}, request_hash FROM promotions "
            "WHERE vendor_id = :vendor_id AND idempotency_key = :key"),
            {"vendor_id": vendor_id, "key": idempotency_key}).first()
        return (_promotion(row), row.request_hash) if row else None

    def get(self, promotion_id: str, *, for_update: bool = False) -> Promotion | None:
        locking = self._locks.clause("promotions", [promotion_id]) if for_update else ""
        row = self._db.execute(text(
            f"SELECT {_COLUMNS} FROM promotions WHERE id = :id{locking}"),
            {"id": promotion_id}).first()
        return _promotion(row) if row else None

    def end(self, promotion_id: str, *, status: PromotionStatus, refunded: int,
            at: datetime, reason: str) -> None:
        self._db.execute(text(
            "UPDATE promotions SET status = :status, refunded_amount = :refunded, "
            "ended_at = :at, end_reason = :reason WHERE id = :id"),
            {"id": promotion_id, "status": status.value, "refunded": refunded, "at": at,
             "reason": reason})

    def card_refunds_owed(self, limit: int) -> list[Promotion]:
        rows = self._db.execute(text(
            f"SELECT {_COLUMNS} FROM promotions WHERE paid_with = 'card' "
            "AND refunded_amount > 0 AND refund_ref IS NULL ORDER BY id LIMIT :limit"),
            {"limit": limit})
        return [_promotion(row) for row in rows]

    def refund_made(self, promotion_id: str, refund_ref: str) -> None:
        self._db.execute(text("UPDATE promotions SET refund_ref = :ref WHERE id = :id"),
                         {"id": promotion_id, "ref": refund_ref})

    def unsent_payables(self, vendor_id: str) -> dict[str, int]:
        ids = [str(row.part_id) for row in self._db.execute(_UNSENT, {"vendor_id": vendor_id})]
        if not ids:
            return {}
        locking = self._locks.clause("vendor_transfers", ids)
        locked = [str(row.part_id) for row in self._db.execute(text(
            "SELECT part_id FROM vendor_transfers WHERE part_id = ANY(CAST(:ids AS uuid[])) "
            "AND status IN ('held', 'pending') AND sent_at IS NULL "
            f"ORDER BY part_id{locking}"), {"ids": ids})]
        if not locked:
            return {}
        rows = self._db.execute(_PART_PAYABLES, {"ids": locked})
        return {str(row.part_id): int(row.payable) for row in rows}

    def fee_parts(self, promotion_id: str) -> dict[str, int]:
        rows = self._db.execute(_FEE_PARTS, {"key": f"promotion:{promotion_id}",
                                             "account": Account.VENDOR_PROMOTIONS.value})
        return {str(row.part_id): int(row.amount) for row in rows}

    def card(self, vendor_id: str) -> SavedCard | None:
        row = self._db.execute(text(
            "SELECT vendor_id, provider_customer_ref, payment_method_ref, setup_ref, status "
            "FROM vendor_payment_cards WHERE vendor_id = :id"), {"id": vendor_id}).first()
        if row is None:
            return None
        return SavedCard(str(row.vendor_id), row.provider_customer_ref,
                         row.payment_method_ref, row.setup_ref, row.status == "ready")

    def save_card(self, card: SavedCard) -> None:
        self._db.execute(_SAVE_CARD, {
            "vendor_id": card.vendor_id, "customer_ref": card.customer_ref,
            "method_ref": card.payment_method_ref, "setup_ref": card.setup_ref,
            "status": "ready" if card.ready else "requires_action",
            "at": clock.now()})


def _promotion(row: Any) -> Promotion:
    return Promotion(
        id=str(row.id), product_id=str(row.product_id), vendor_id=str(row.vendor_id),
        status=PromotionStatus(row.status), starts_at=row.starts_at, ends_at=row.ends_at,
        days=row.days, daily_rate=int(row.daily_rate), fee_amount=int(row.fee_amount),
        paid_with=PaidWith(row.paid_with), payment_ref=row.payment_ref,
        refunded_amount=int(row.refunded_amount), created_at=row.created_at,
        ended_at=row.ended_at, end_reason=row.end_reason)
