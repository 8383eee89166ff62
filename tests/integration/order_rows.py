"""For tests that write orders as rows: every order has its one payment (place_order writes
both in one transaction, and the order reads rely on it)."""

from __future__ import annotations

import uuid

import sqlalchemy
from sqlalchemy import text

_PAYMENT = text(
    "INSERT INTO payments (id, order_id, provider, method, amount, status, amount_received) "
    "VALUES (:id, :order, 'stripe', 'card', :amount, :status, :received)")


def add_card_payment(db: sqlalchemy.Connection, order_id: str, amount: int, *,
                     paid: bool) -> str:
    """The order's card payment: succeeded in full when paid, else still `creating`."""
    payment_id = str(uuid.uuid4())
    db.execute(_PAYMENT, {"id": payment_id, "order": order_id, "amount": amount,
                          "status": "succeeded" if paid else "creating",
                          "received": amount if paid else 0})
    return payment_id
