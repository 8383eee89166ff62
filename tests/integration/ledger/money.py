"""Helpers of the money tests: paid orders arranged in the database (as the owner, in the
schema of migration 0007) with a succeeded payment on the stack's Stripe twin, events
published through the outbox, and what the ledger and the twin then hold."""

from __future__ import annotations

import json
import time
import uuid
from typing import Callable, TypeVar

from sqlalchemy import text

from common import bootstrap
from common.domain.events import Event, OrderPaid, PaidPart
from common.domain.payments import NewPayment

T = TypeVar("T")
RETURN_URL = "https://bazaar.example/orders/return"


def publish(*events: Event) -> None:
    """Record events in the outbox and commit: the relay publishes them at once."""
    with bootstrap.unit_of_work() as tx:
        tx.record(*events)
        tx.commit()


def settle(pubsub, timeout: float = 30) -> None:  # noqa: ANN001
    pubsub.wait_until_idle(timeout=timeout)


def eventually(read: Callable[[], T], ok: Callable[[T], bool], timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def paid_order(buyer_id: str, parts: list[tuple[str, int, int]]) -> OrderPaid:
    """A paid order of one part per (vendor_id, subtotal, commission), paid by card on the
    twin; its `order.paid` event, not yet published."""
    order_id, payment_id = str(uuid.uuid4()), str(uuid.uuid4())
    total = sum(subtotal for _, subtotal, _ in parts)
    attempt = bootstrap.payments().start_payment(NewPayment(
        order_id=order_id, payment_id=payment_id, amount=total, currency="eur", method="card",
        payment_method_token="pm_card_visa", return_url=RETURN_URL),
        idempotency_key=f"order-{order_id}-payment")
    paid = [PaidPart(str(uuid.uuid4()), vendor, subtotal, commission)
            for vendor, subtotal, commission in parts]
    with bootstrap.engine().begin() as db:
        db.execute(text("""
            INSERT INTO orders (id, buyer_id, status, total_amount, payment_method,
                shipping_address, idempotency_key, request_hash, reservation_expires_at,
                paid_at)
            VALUES (:id, :buyer, 'paid', :total, 'card', CAST(:address AS jsonb), :key, 'h',
                now() + interval '15 minutes', now())"""),
            {"id": order_id, "buyer": buyer_id, "total": total, "key": order_id,
             "address": json.dumps({"name": "Kim", "line1": "1 Way", "postal_code": "10115",
                                    "city": "Berlin", "country": "DE"})})
        db.execute(text("""
            INSERT INTO order_parts (id, order_id, vendor_id, status, subtotal_amount,
                commission_amount) VALUES (:id, :order, :vendor, 'paid', :subtotal, :commission)
            """), [{"id": p.part_id, "order": order_id, "vendor": p.vendor_id,
                    "subtotal": p.subtotal, "commission": p.commission} for p in paid])
        db.execute(text("""
            INSERT INTO payments (id, order_id, provider, provider_ref, method, amount, status,
                amount_received) VALUES (:id, :order, 'stripe', :ref, 'card', :amount,
                'succeeded', :amount)"""),
            {"id": payment_id, "order": order_id, "ref": attempt.payment_ref, "amount": total})
    return OrderPaid(order_id=order_id, buyer_id=buyer_id, payment_id=payment_id, total=total,
                     parts=tuple(paid))


def transfer_row(part_id: str) -> dict | None:
    with bootstrap.engine().connect() as db:
        row = db.execute(text("SELECT status, amount, amount_reversed, provider_transfer_ref "
                              "FROM vendor_transfers WHERE part_id = :id"),
                         {"id": part_id}).mappings().first()
    return dict(row) if row else None


def payment_account(vendor_id: str) -> dict | None:
    with bootstrap.engine().connect() as db:
        row = db.execute(text("SELECT provider_account_ref, status FROM vendor_payment_accounts "
                              "WHERE vendor_id = :id"), {"id": vendor_id}).mappings().first()
    return dict(row) if row else None


def journals(order_id: str) -> dict[str, int]:
    """Each journal of the order by key, with the sum of its entries (always 0)."""
    with bootstrap.engine().connect() as db:
        rows = db.execute(text(
            "SELECT j.idempotency_key, sum(e.amount) AS total FROM ledger_journals j "
            "JOIN ledger_entries e ON e.journal_id = j.id WHERE j.order_id = :id "
            "GROUP BY j.idempotency_key"), {"id": order_id})
        return {row.idempotency_key: int(row.total) for row in rows}
