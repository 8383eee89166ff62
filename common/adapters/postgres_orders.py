"""PostgresOrders: orders, their parts, lines, reservation, payment and steps, in one
transaction (OrdersUnitOfWork). Every row lock goes through RowLocks (LOCK_ORDER:
products < orders < order_parts < stock_reservations < payments); the decisions are
conditional updates (`… WHERE status = 'pending_payment'`, `… WHERE status = 'held'`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy
from sqlalchemy import text

from common.adapters.order_reads import read_order
from common.adapters.row_locks import RowLocks
from common.adapters.unit_of_work import UnitOfWork
from common.domain.order_records import Order, Payment
from common.domain.orders import Offer, OrderPlan
from common.domain.payments import PaymentAttempt, PaymentStatus

_OFFERS = """
SELECT p.id, p.vendor_id, p.name, p.price_amount, p.currency, p.stock, p.category_id,
       p.status = 'listed' AS listed,
       (a.state = 'active' AND vp.status = 'verified') AS vendor_can_sell,
       vp.payment_methods
FROM products p JOIN accounts a ON a.id = p.vendor_id
JOIN vendor_profiles vp ON vp.account_id = p.vendor_id
WHERE p.id = ANY(CAST(:ids AS uuid[])) ORDER BY p.id"""


class PostgresOrders:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db = connection
        self._locks = locks

    # Placing ---------------------------------------------------------------------------

    def order_for_key(self, buyer_id: str, key: str) -> str | None:
        return self._db.execute(text(
            "SELECT id FROM orders WHERE buyer_id = :buyer AND idempotency_key = :key"),
            {"buyer": buyer_id, "key": key}).scalar()

    def read_offers(self, product_ids: list[str]) -> dict[str, Offer]:
        """The products as offered now, unlocked (the plan the fraud check screens)."""
        rows = self._db.execute(text(_OFFERS), {"ids": sorted(product_ids)})
        return {str(r.id): Offer(str(r.id), str(r.vendor_id), r.name, r.price_amount,
                                 r.currency, r.stock, r.category_id, r.listed,
                                 r.vendor_can_sell, tuple(r.payment_methods)) for r in rows}

    def lock_offers(self, product_ids: list[str]) -> dict[str, Offer]:
        """The products as offered now, locked (products, by id) for the reservation."""
        locking = self._locks.clause("products", product_ids, alias="p")
        rows = self._db.execute(text(_OFFERS + locking), {"ids": sorted(product_ids)})
        return {str(r.id): Offer(str(r.id), str(r.vendor_id), r.name, r.price_amount,
                                 r.currency, r.stock, r.category_id, r.listed,
                                 r.vendor_can_sell, tuple(r.payment_methods)) for r in rows}

    def take_stock(self, quantities: dict[str, int]) -> list[str]:
        """Conditional decrements, one per product; the ids that had too little."""
        short = []
        for product_id, quantity in sorted(quantities.items()):
            taken = self._db.execute(text(
                "UPDATE products SET stock = stock - :q, updated_at = now() "
                "WHERE id = :id AND stock >= :q"), {"id": product_id, "q": quantity}).rowcount
            if taken != 1:
                short.append(product_id)
        return short

    def add_order(self, order_id: str, payment_id: str, buyer_id: str, plan: OrderPlan,
                  fields: dict[str, Any]) -> bool:
        """The order with its parts, lines, held reservation and payment row; False if the
        buyer's idempotency key already names another (concurrent) order."""
        review_until = fields.get("review_until")  # held for a fraud review until then
        status = "pending_review" if review_until is not None else "pending_payment"
        inserted = self._db.execute(text(
            "INSERT INTO orders (id, buyer_id, status, total_amount, payment_method, "
            "shipping_address, idempotency_key, request_hash, reservation_expires_at, "
            "review_until) VALUES (:id, :buyer, :status, :total, :method, "
            "CAST(:address AS jsonb), :key, :hash, COALESCE(CAST(:until AS timestamptz), "
            "now() + make_interval(secs => :ttl)), CAST(:until AS timestamptz)) "
            "ON CONFLICT (buyer_id, idempotency_key) DO NOTHING RETURNING id"),
            {"id": order_id, "buyer": buyer_id, "status": status, "total": plan.total,
             "method": fields["method"], "address": json.dumps(fields["address"]),
             "key": fields["key"], "hash": fields["hash"], "ttl": fields["ttl_s"],
             "until": review_until}).first()
        if inserted is None:
            return False
        for part in plan.parts:
            self._add_part(order_id, part, status)
        self._db.execute(text(
            "INSERT INTO stock_reservations (order_id, status, expires_at) "
            "SELECT id, 'held', reservation_expires_at FROM orders WHERE id = :id"),
            {"id": order_id})
        self._db.execute(text(
            "INSERT INTO payments (id, order_id, provider, method, amount, status, "
            "payment_method_token, return_url) VALUES (:id, :order, 'stripe', :method, "
            ":amount, 'creating', :token, :return_url)"),
            {"id": payment_id, "order": order_id, "method": fields["method"],
             "amount": plan.total, "token": fields.get("token"),
             "return_url": fields.get("return_url")})
        return True

    def _add_part(self, order_id: str, part: Any, status: str) -> None:
        import uuid

        part_id = str(uuid.uuid4())
        self._db.execute(text(
            "INSERT INTO order_parts (id, order_id, vendor_id, status, subtotal_amount, "
            "commission_amount) VALUES (:id, :order, :vendor, :status, :subtotal, "
            ":commission)"), {"id": part_id, "order": order_id, "vendor": part.vendor_id,
                              "status": status, "subtotal": part.subtotal,
                              "commission": part.commission})
        for line in part.lines:
            self._db.execute(text(
                "INSERT INTO order_lines (id, order_id, part_id, product_id, product_name, "
                "quantity, unit_price_amount, line_amount, commission_rate_bp, "
                "commission_amount) VALUES (:id, :order, :part, :product, :name, :q, :price, "
                ":amount, :rate, :commission)"),
                {"id": str(uuid.uuid4()), "order": order_id, "part": part_id,
                 "product": line.product_id, "name": line.product_name, "q": line.quantity,
                 "price": line.unit_price, "amount": line.line_amount,
                 "rate": line.commission_rate_bp, "commission": line.commission})

    def add_step(self, order_id: str, step: str, detail: dict[str, Any] | None = None,
                 part_id: str | None = None) -> None:
        self._db.execute(text(
            "INSERT INTO order_steps (order_id, part_id, step, detail) "
            "VALUES (:order, :part, :step, CAST(:detail AS jsonb))"),
            {"order": order_id, "part": part_id, "step": step,
             "detail": json.dumps(detail or {})})

    def customer_ref(self, account_id: str) -> str | None:
        return self._db.execute(text(
            "SELECT provider_customer_ref FROM customer_payment_profiles "
            "WHERE account_id = :id"), {"id": account_id}).scalar()

    def keep_customer_ref(self, account_id: str, ref: str) -> None:
        self._db.execute(text(
            "INSERT INTO customer_payment_profiles (account_id, provider_customer_ref) "
            "VALUES (:id, :ref) ON CONFLICT (account_id) DO NOTHING"), {"id": account_id,
                                                                         "ref": ref})

    def set_execution(self, order_id: str, name: str) -> bool:
        """Record the saga's execution unless another one is recorded already."""
        return self._db.execute(text(
            "UPDATE orders SET execution_name = :name, updated_at = now() WHERE id = :id "
            "AND status = 'pending_payment' AND (execution_name IS NULL "
            "OR execution_name = :name)"), {"id": order_id, "name": name}).rowcount == 1

    def replace_execution(self, order_id: str, old: str | None, new: str | None) -> bool:
        return self._db.execute(text(
            "UPDATE orders SET execution_name = :new, updated_at = now() WHERE id = :id "
            "AND status = 'pending_payment' AND execution_name IS NOT DISTINCT FROM :old"),
            {"id": order_id, "old": old, "new": new}).rowcount == 1

    # Reading ---------------------------------------------------------------------------

    def get(self, order_id: str, *, steps: bool = True) -> Order | None:
        return read_order(self._db, order_id, steps=steps)

    # Payments --------------------------------------------------------------------------

    def lock_payment(self, payment_id: str) -> Payment:
        """The payment, its row locked (the webhook door and the saga serialise on it)."""
        from common.adapters.order_reads import payment_row

        locking = self._locks.clause("payments", [payment_id])
        return payment_row(self._db, payment_id, locking)

    def order_status(self, order_id: str) -> str | None:
        return self._db.execute(text("SELECT status FROM orders WHERE id = :id"),
                                {"id": order_id}).scalar()

    def payment_id_for(self, *, payment_id: str | None, provider_ref: str | None,
                       order_id: str | None) -> str | None:
        """Our payment that a provider event is about: by our id, its ref, or its order."""
        row = self._db.execute(text(
            "SELECT id FROM payments WHERE CAST(id AS text) = :pid OR provider_ref = :ref "
            "OR CAST(order_id AS text) = :oid LIMIT 1"),
            {"pid": payment_id or "", "ref": provider_ref or "", "oid": order_id or ""}).first()
        return str(row.id) if row else None

    def update_payment(self, payment: Payment, status: str, received: int, *,
                       provider_ref: str | None, next_action: dict[str, Any] | None,
                       decline_code: str | None) -> None:
        """Write the payment's new state (the caller decided it moves forward)."""
        self._db.execute(text(
            "UPDATE payments SET status = :status, amount_received = GREATEST("
            "amount_received, :received), provider_ref = COALESCE(provider_ref, :ref), "
            "next_action = CAST(:action AS jsonb), decline_code = COALESCE(:decline, "
            "decline_code), updated_at = now() WHERE id = :id"),
            {"id": payment.id, "status": status, "received": received, "ref": provider_ref,
             "action": json.dumps(next_action) if next_action else None,
             "decline": decline_code})

    def add_payment_event(self, payment_id: str, kind: str, amount: int | None = None,
                          provider_event_id: str | None = None,
                          detail: dict[str, Any] | None = None) -> bool:
        """Append to the payment's ledger; False for a provider event already recorded."""
        return self._db.execute(text(
            "INSERT INTO payment_events (payment_id, kind, amount, provider_event_id, detail) "
            "VALUES (:payment, :kind, :amount, :event, CAST(:detail AS jsonb)) "
            "ON CONFLICT (provider_event_id) DO NOTHING RETURNING id"),
            {"payment": payment_id, "kind": kind, "amount": amount, "event": provider_event_id,
             "detail": json.dumps(detail or {})}).first() is not None

    def attach_callback(self, payment_id: str, url: str) -> None:
        self._db.execute(text("UPDATE payments SET callback_url = :url, updated_at = now() "
                              "WHERE id = :id"), {"id": payment_id, "url": url})


class OrdersUnitOfWork(UnitOfWork):
    """The common unit of work plus orders and their payment decisions, sharing its row locks."""

    def __enter__(self) -> "OrdersUnitOfWork":
        super().__enter__()
        self.orders = PostgresOrders(self.connection, self.locks)
        self.decisions = _decisions(self.connection, self.locks)
        return self

    @property
    def fraud_cases(self) -> Any:
        """The fraud cases a placement opens (held or refused orders), in this transaction."""
        from common.adapters.postgres_fraud_cases import PostgresFraudCases

        return PostgresFraudCases(self.connection)


def _decisions(connection: sqlalchemy.Connection, locks: RowLocks) -> Any:
    from common.adapters.order_decisions import PostgresOrderDecisions

    return PostgresOrderDecisions(connection, locks)


def attempt_state(attempt: PaymentAttempt) -> tuple[str, dict[str, Any] | None]:
    """The payment row's status and next action (as JSON) for an attempt."""
    from common.domain.payments import BankTransferInstructions

    action = attempt.next_action
    if action is None or attempt.status is not PaymentStatus.REQUIRES_ACTION:
        return attempt.status.value, None
    if isinstance(action, BankTransferInstructions):
        return attempt.status.value, {
            "type": action.type, "iban": action.iban, "bic": action.bic,
            "reference": action.reference, "amount_remaining": action.amount_remaining,
            "account_holder": action.account_holder}
    return attempt.status.value, {"type": action.type, "url": action.url}
