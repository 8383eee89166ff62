"""The decisions of an order's payment, each one conditional update that only one caller
wins: pending → paid (reservation committed), pending → payment_failed or cancelled
(reservation released exactly once, its stock returned), and the claims of the sweeps."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy
from sqlalchemy import text

from common.adapters.row_locks import RowLocks


class PostgresOrderDecisions:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def mark_paid(self, order_id: str) -> bool:
        """pending_payment → paid with its parts, the reservation committed; False if the
        order no longer waits (someone decided first)."""
        self._locks.clause("orders", [order_id])  # the UPDATE below takes this row lock
        won = self._db.execute(text(
            "UPDATE orders SET status = 'paid', paid_at = now(), updated_at = now() "
            "WHERE id = :id AND status = 'pending_payment'"), {"id": order_id}).rowcount == 1
        if not won:
            return False
        self._locks.clause("order_parts", self._part_ids(order_id))
        self._db.execute(text("UPDATE order_parts SET status = 'paid' WHERE order_id = :id"),
                         {"id": order_id})
        self._locks.clause("stock_reservations", [order_id])
        self._db.execute(text(
            "UPDATE stock_reservations SET status = 'committed' "
            "WHERE order_id = :id AND status = 'held'"), {"id": order_id})
        return True

    def mark_failed(self, order_id: str, status: str, reason: str, *,
                    waiting: str = "pending_payment") -> bool:
        """`waiting` (pending_payment, or pending_review for a rejected fraud review) →
        `status` (payment_failed or cancelled), reservation released and its stock
        returned; False if the order no longer waits."""
        quantities: dict[str, int] = dict(self._db.execute(text(
            "SELECT CAST(product_id AS text), quantity FROM order_lines WHERE order_id = :id"),
            {"id": order_id}).all())
        self._locks.lock(self._db, "products", sorted(quantities))
        self._locks.clause("orders", [order_id])
        won = self._db.execute(text(
            "UPDATE orders SET status = :status, failure_reason = :reason, updated_at = now() "
            "WHERE id = :id AND status = :waiting"),
            {"id": order_id, "status": status, "reason": reason,
             "waiting": waiting}).rowcount == 1
        if not won:
            return False
        self._locks.clause("order_parts", self._part_ids(order_id))
        self._db.execute(text("UPDATE order_parts SET status = 'cancelled' "
                              "WHERE order_id = :id"), {"id": order_id})
        self.release_reservation(order_id, reason, quantities)
        return True

    def end_review(self, order_id: str, ttl_s: int) -> bool:
        """pending_review → pending_payment (parts too), the reservation kept `ttl_s` more
        for the payment; False if the review already ended (someone decided first)."""
        self._locks.clause("orders", [order_id])
        won = self._db.execute(text(
            "UPDATE orders SET status = 'pending_payment', updated_at = now(), "
            "reservation_expires_at = now() + make_interval(secs => :ttl) "
            "WHERE id = :id AND status = 'pending_review'"),
            {"id": order_id, "ttl": ttl_s}).rowcount == 1
        if not won:
            return False
        self._locks.clause("order_parts", self._part_ids(order_id))
        self._db.execute(text("UPDATE order_parts SET status = 'pending_payment' "
                              "WHERE order_id = :id"), {"id": order_id})
        self._locks.clause("stock_reservations", [order_id])
        self._db.execute(text(
            "UPDATE stock_reservations SET expires_at = o.reservation_expires_at FROM orders o "
            "WHERE o.id = :id AND stock_reservations.order_id = o.id"), {"id": order_id})
        return True

    def claim_expired_reviews(self, now: datetime, limit: int, lease_s: int) -> list[str]:
        """Orders held for a fraud review past `review_until`, claimed for `lease_s`."""
        rows = self._db.execute(text(
            "UPDATE orders SET claimed_until = now() + make_interval(secs => :lease) "
            "WHERE id IN (SELECT id FROM orders WHERE status = 'pending_review' AND "
            "review_until <= :now AND (claimed_until IS NULL OR claimed_until < now()) "
            "ORDER BY review_until LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING id"),
            {"lease": lease_s, "limit": limit, "now": now})
        return [str(row.id) for row in rows]

    def release_reservation(self, order_id: str, reason: str,
                            quantities: dict[str, int]) -> bool:
        """held → released, exactly once: only the caller whose update wins returns the
        stock (the products' rows are locked already)."""
        self._locks.clause("stock_reservations", [order_id])
        released = self._db.execute(text(
            "UPDATE stock_reservations SET status = 'released', released_at = now(), "
            "release_reason = :reason WHERE order_id = :id AND status = 'held' "
            "RETURNING order_id"), {"id": order_id, "reason": reason}).first()
        if released is None:
            return False
        for product_id, quantity in sorted(quantities.items()):
            self._db.execute(text("UPDATE products SET stock = stock + :q, updated_at = now() "
                                  "WHERE id = :id"), {"id": product_id, "q": quantity})
        return True

    def claim_expired(self, limit: int, lease_s: int) -> list[str]:
        """Pending orders whose reservation expired, claimed for `lease_s` (SKIP LOCKED)."""
        return self._claim("reservation_expires_at <= now()", "reservation_expires_at",
                           limit, lease_s)

    def claim_pending(self, limit: int, lease_s: int) -> list[str]:
        """Pending orders, the least recently looked at first, claimed for `lease_s`."""
        return self._claim("true", "claimed_until NULLS FIRST, created_at", limit, lease_s)

    def _claim(self, condition: str, order_by: str, limit: int, lease_s: int) -> list[str]:
        rows = self._db.execute(text(
            "UPDATE orders SET claimed_until = now() + make_interval(secs => :lease) "
            "WHERE id IN (SELECT id FROM orders WHERE status = 'pending_payment' AND "
            f"{condition} AND (claimed_until IS NULL OR claimed_until < now()) "
            f"ORDER BY {order_by} LIMIT :limit FOR UPDATE SKIP LOCKED) RETURNING id"),
            {"lease": lease_s, "limit": limit})
        return [str(row.id) for row in rows]

    def _part_ids(self, order_id: str) -> list[str]:
        return [str(r.id) for r in self._db.execute(
            text("SELECT id FROM order_parts WHERE order_id = :id"), {"id": order_id})]
