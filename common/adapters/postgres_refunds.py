"""PostgresRefunds: refunds, what an order may still give back, and what recording one
changes, inside one transaction (RefundsUnitOfWork). Row locks go through RowLocks
(products < orders < refunds); the decisions are conditional updates
(`… WHERE status = 'requested'`, `… WHERE status = 'paid'`)."""

from __future__ import annotations

import json
from typing import Any, Iterable

import sqlalchemy
from sqlalchemy import text

from common.adapters.row_locks import RowLocks
from common.adapters.unit_of_work import UnitOfWork
from common.domain.refunds import (
    OrderLine,
    OrderRefund,
    RefundableOrder,
    RefundKind,
    RefundLine,
    RefundStatus,
)
from common.ports.refunds import PaidPayment

# Refunds not failed hold their money: requested ones as much as succeeded ones.
_CLAIMED = """
SELECT rl.line_id, sum(rl.quantity) AS quantity, sum(rl.amount) AS amount,
       sum(rl.commission_returned) AS commission
FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
WHERE r.order_id = :id AND r.status <> 'failed' GROUP BY rl.line_id"""
_LINES = """
SELECT l.id, l.part_id, p.vendor_id, l.product_id, l.quantity, l.unit_price_amount,
       l.line_amount, l.commission_amount, l.refunded_quantity
FROM order_lines l JOIN order_parts p ON p.id = l.part_id
WHERE l.order_id = :id ORDER BY l.id"""
_REFUND = """
SELECT id, order_id, kind, status, amount, commission_returned, reason, requested_by,
       requester_role, provider_refund_ref, failure_reason, execution_name
FROM refunds"""


class PostgresRefunds:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    def order(self, order_id: str, *, lock: bool = False) -> RefundableOrder | None:
        locking = self._locks.clause("orders", [order_id]) if lock else ""
        row = self._db.execute(text(
            "SELECT id, buyer_id, status FROM orders WHERE id = :id" + locking),
            {"id": order_id}).first()
        if row is None:
            return None
        claimed = {str(r.line_id): r for r in self._db.execute(text(_CLAIMED), {"id": order_id})}
        lines = tuple(_line(r, claimed.get(str(r.id))) for r in self._db.execute(
            text(_LINES), {"id": order_id}))
        parts = {str(r.id): r.status for r in self._db.execute(text(
            "SELECT id, status FROM order_parts WHERE order_id = :id"), {"id": order_id})}
        payment = self.payment(order_id)
        return RefundableOrder(
            str(row.id), str(row.buyer_id), row.status,
            payment.amount_received if payment else 0,
            sum(line.claimed_amount for line in lines), parts, lines)

    def payment(self, order_id: str) -> PaidPayment | None:
        row = self._db.execute(text(
            "SELECT p.id, p.provider_ref, p.amount_received, p.method, o.buyer_id "
            "FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.order_id = :id"),
            {"id": order_id}).first()
        return PaidPayment(str(row.id), row.provider_ref, row.amount_received, "eur",
                           row.method, str(row.buyer_id)) if row else None

    def add(self, refund: OrderRefund, idempotency_key: str) -> tuple[OrderRefund, bool]:
        inserted = self._db.execute(text(
            "INSERT INTO refunds (id, order_id, kind, requested_by, requester_role, reason, "
            "amount, commission_returned, idempotency_key) VALUES (:id, :order, :kind, :by, "
            ":role, :reason, :amount, :commission, :key) "
            "ON CONFLICT (order_id, idempotency_key) DO NOTHING RETURNING id"),
            {"id": refund.id, "order": refund.order_id, "kind": refund.kind.value,
             "by": refund.requested_by, "role": refund.requester_role, "reason": refund.reason,
             "amount": refund.amount, "commission": refund.commission_returned,
             "key": idempotency_key}).first()
        if inserted is None:
            existing = self._db.execute(text(
                "SELECT id FROM refunds WHERE order_id = :order AND idempotency_key = :key"),
                {"order": refund.order_id, "key": idempotency_key}).scalar_one()
            found = self.get(str(existing))
            assert found is not None  # read in this transaction
            return found, False
        self._db.execute(text(
            "INSERT INTO refund_lines (refund_id, line_id, part_id, quantity, amount, "
            "commission_returned) VALUES (:refund, :line, :part, :q, :amount, :commission)"),
            [{"refund": refund.id, "line": line.line_id, "part": line.part_id,
              "q": line.quantity, "amount": line.amount, "commission": line.commission_returned}
             for line in refund.lines])
        return refund, True

    def get(self, refund_id: str, *, lock: bool = False) -> OrderRefund | None:
        locking = self._locks.clause("refunds", [refund_id]) if lock else ""
        row = self._db.execute(text(_REFUND + " WHERE id = :id" + locking),
                               {"id": refund_id}).first()
        return self._refund(row) if row else None

    def for_order(self, order_id: str) -> list[OrderRefund]:
        rows = self._db.execute(text(_REFUND + " WHERE order_id = :id ORDER BY created_at, id"),
                                {"id": order_id})
        return [self._refund(row) for row in rows]

    def _refund(self, row: Any) -> OrderRefund:
        lines = tuple(RefundLine(str(r.line_id), str(r.part_id), str(r.vendor_id),
                                 str(r.product_id), r.quantity, r.amount, r.commission_returned)
                      for r in self._db.execute(text(
                          "SELECT rl.line_id, rl.part_id, p.vendor_id, l.product_id, rl.quantity, "
                          "rl.amount, rl.commission_returned FROM refund_lines rl "
                          "JOIN order_lines l ON l.id = rl.line_id "
                          "JOIN order_parts p ON p.id = rl.part_id "
                          "WHERE rl.refund_id = :id ORDER BY rl.line_id"), {"id": row.id}))
        return OrderRefund(
            str(row.id), str(row.order_id), RefundKind(row.kind), RefundStatus(row.status),
            row.amount, row.commission_returned, row.reason, str(row.requested_by),
            row.requester_role, lines, row.provider_refund_ref, row.failure_reason,
            row.execution_name)

    def set_execution(self, refund_id: str, execution_name: str) -> None:
        self._db.execute(text(
            "UPDATE refunds SET execution_name = :name, updated_at = now() WHERE id = :id"),
            {"id": refund_id, "name": execution_name})

    def mark_executed(self, refund_id: str, provider_refund_ref: str) -> None:
        self._db.execute(text(
            "UPDATE refunds SET provider_refund_ref = :ref, updated_at = now() "
            "WHERE id = :id AND provider_refund_ref IS NULL"),
            {"id": refund_id, "ref": provider_refund_ref})

    def finish(self, refund_id: str, status: str, failure_reason: str | None = None) -> bool:
        return self._db.execute(text(
            "UPDATE refunds SET status = :status, failure_reason = :reason, updated_at = now() "
            "WHERE id = :id AND status = 'requested'"),
            {"id": refund_id, "status": status, "reason": failure_reason}).rowcount == 1

    def add_to_lines(self, lines: Iterable[RefundLine]) -> None:
        for line in lines:
            changed = self._db.execute(text(
                "UPDATE order_lines SET refunded_quantity = refunded_quantity + :q, "
                "refunded_amount = refunded_amount + :amount WHERE id = :id "
                "AND refunded_quantity + :q <= quantity"),
                {"id": line.line_id, "q": line.quantity, "amount": line.amount}).rowcount
            if changed != 1:
                raise RuntimeError(f"line {line.line_id} would be refunded beyond its quantity")

    def set_statuses(self, order_id: str, order_status: str, parts: dict[str, str]) -> None:
        for part_id, status in sorted(parts.items()):
            self._db.execute(text(
                "UPDATE order_parts SET status = :status WHERE id = :id AND status <> :status"),
                {"id": part_id, "status": status})
        self._db.execute(text(
            "UPDATE orders SET status = :status, updated_at = now() WHERE id = :id "
            "AND status <> :status"), {"id": order_id, "status": order_status})

    def cancel_paid(self, order_id: str) -> bool:
        cancelled = self._db.execute(text(
            "UPDATE orders SET status = 'cancelled', failure_reason = 'cancelled_by_buyer', "
            "updated_at = now() WHERE id = :id AND status = 'paid'"), {"id": order_id}).rowcount
        if cancelled != 1:
            return False
        self._db.execute(text(
            "UPDATE order_parts SET status = 'cancelled' WHERE order_id = :id "
            "AND status = 'paid'"), {"id": order_id})
        return True

    def lock_products(self, product_ids: Iterable[str]) -> None:
        self._locks.lock(self._db, "products", list(product_ids))

    def return_stock(self, quantities: dict[str, int]) -> None:
        for product_id, quantity in sorted(quantities.items()):
            self._db.execute(text(
                "UPDATE products SET stock = stock + :q, updated_at = now() WHERE id = :id"),
                {"id": product_id, "q": quantity})

    def add_step(self, order_id: str, step: str, detail: dict, part_id: str | None = None
                 ) -> None:
        self._db.execute(text(
            "INSERT INTO order_steps (order_id, part_id, step, detail) "
            "VALUES (:order, :part, :step, CAST(:detail AS jsonb))"),
            {"order": order_id, "part": part_id, "step": step, "detail": json.dumps(detail)})

    def add_payment_event(self, payment_id: str, kind: str, amount: int, detail: dict) -> None:
        self._db.execute(text(
            "INSERT INTO payment_events (payment_id, kind, amount, detail) "
            "VALUES (:payment, :kind, :amount, CAST(:detail AS jsonb))"),
            {"payment": payment_id, "kind": kind, "amount": amount,
             "detail": json.dumps(detail)})

    def stale(self, older_than_s: float, limit: int) -> list[tuple[str, float]]:
        rows = self._db.execute(text(
            "SELECT id, extract(epoch FROM now() - created_at) AS age FROM refunds "
            "WHERE status = 'requested' AND updated_at < now() - make_interval(secs => :s) "
            "ORDER BY updated_at LIMIT :limit"), {"s": older_than_s, "limit": limit})
        return [(str(row.id), float(row.age)) for row in rows]


def _line(row: Any, claimed: Any) -> OrderLine:
    return OrderLine(
        str(row.id), str(row.part_id), str(row.vendor_id), str(row.product_id), row.quantity,
        row.unit_price_amount, row.line_amount, row.commission_amount,
        int(claimed.quantity) if claimed else 0, int(claimed.amount) if claimed else 0,
        int(claimed.commission) if claimed else 0, row.refunded_quantity)


class RefundsUnitOfWork(UnitOfWork):
    """The common unit of work plus refunds, sharing its row locks."""

    def __enter__(self) -> "RefundsUnitOfWork":
        super().__enter__()
        self.refunds = PostgresRefunds(self.connection, self.locks)
        return self
