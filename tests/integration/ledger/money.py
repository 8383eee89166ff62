"""Helpers of the money tests: orders placed and paid through the real path (POST /v1/orders,
the purchase saga, the Stripe twin's webhook), events published through the outbox, and
what the ledger and the twin then hold."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from sqlalchemy import text

from common import bootstrap
from common.domain.events import Event, OrderPaid
from tests.e2e.client import Api, User
from tests.integration.refunds.orders import paid_order as placed_and_paid
from tests.integration.refunds.orders import product

T = TypeVar("T")


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


def paid_order(api: Api, buyer: User, parts: list[tuple[User, int]]) -> OrderPaid:
    """An order of one product per (vendor, price), placed over HTTP and paid with Stripe's
    test card through the purchase saga; its `order.paid` as the outbox holds it (published
    already: the money consumers post it on their own)."""
    items = [(product(api, vendor, price=price), 1) for vendor, price in parts]
    order_id = placed_and_paid(api, buyer, items)["id"]
    with bootstrap.engine().connect() as db:
        row = db.execute(text("SELECT id, occurred_at, payload FROM outbox_events "
                              "WHERE type = 'order.paid' AND payload->>'order_id' = :id"),
                         {"id": order_id}).one()
    event = OrderPaid.from_message(str(row.id), row.occurred_at, row.payload)
    assert isinstance(event, OrderPaid)
    return event


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
