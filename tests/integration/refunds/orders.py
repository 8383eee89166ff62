"""Helpers of the refund and cancellation tests: orders placed and paid through the real
path (POST /v1/orders with Stripe's test card, the purchase saga, the twin's webhook), and
what the database, the outbox and the Stripe twin then hold."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable, TypeVar

from sqlalchemy import text

from common import bootstrap
from tests.e2e.catalog import list_product
from tests.e2e.client import Api, User

T = TypeVar("T")
ADDRESS = {"name": "Ada Buyer", "line1": "1 Test Street", "postal_code": "10115",
           "city": "Berlin", "country": "DE"}
RETURN_URL = "https://bazaar.example/orders/return"


def eventually(read: Callable[[], T], ok: Callable[[T], bool], timeout: float = 30) -> T:
    """The first value `read` gives that is `ok`, or the last one after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def product(api: Api, vendor: User, price: int, stock: int = 10) -> str:
    listed = list_product(api, vendor, name=f"Lamp {uuid.uuid4().hex[:8]}",
                          price={"amount": price, "currency": "EUR"}, stock=stock)
    return listed["id"]


def place(api: Api, buyer: User, items: list[tuple[str, int]],
          card: str = "pm_card_visa") -> dict[str, Any]:
    """POST /v1/orders paid by card; the 202 body."""
    response = api.post("/v1/orders", headers={**buyer.auth, "Idempotency-Key": key()}, json={
        "items": [{"product_id": pid, "quantity": q} for pid, q in items],
        "payment": {"method": "card", "payment_method": card, "return_url": RETURN_URL},
        "shipping_address": ADDRESS})
    assert response.status_code == 202, response.text
    return response.json()


def order(api: Api, user: User, order_id: str) -> dict[str, Any]:
    response = api.get(f"/v1/orders/{order_id}", headers=user.auth)
    assert response.status_code == 200, response.text
    return response.json()


def paid_order(api: Api, buyer: User, items: list[tuple[str, int]]) -> dict[str, Any]:
    """An order placed and paid by card (the purchase saga completed it on the twin's
    webhook); as the buyer sees it."""
    placed = place(api, buyer, items)
    paid = eventually(lambda: order(api, buyer, placed["id"]), lambda o: o["status"] == "paid")
    assert paid["status"] == "paid", paid["steps"]
    return paid


def lines(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The order's lines by product id."""
    return {line["product_id"]: line for part in view["parts"] for line in part["lines"]}


def key() -> str:
    return f"test-{uuid.uuid4()}"


def refund_row(refund_id: str) -> Any:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT * FROM refunds WHERE id = :id"), {"id": refund_id}).one()


def refund_ids(order_id: str) -> list[str]:
    with bootstrap.engine().connect() as db:
        return [str(r.id) for r in db.execute(text(
            "SELECT id FROM refunds WHERE order_id = :id ORDER BY created_at"), {"id": order_id})]


def stock(product_id: str) -> int:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT stock FROM products WHERE id = :id"),
                          {"id": product_id}).scalar_one()


def events(order_id: str, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the order's events of this type in the outbox."""
    with bootstrap.engine().connect() as db:
        return [row.payload for row in db.execute(text(
            "SELECT payload FROM outbox_events WHERE type = :type "
            "AND payload->>'order_id' = :order ORDER BY occurred_at"),
            {"type": event_type, "order": order_id})]


def provider_refunds(stripe: Any, order_id: str) -> list[dict[str, Any]]:
    """The twin's refunds of the order's PaymentIntent (its metadata names our order)."""
    with stripe.api.store.lock:
        intents = {pi["id"] for pi in stripe.api.store.of_kind("payment_intent")
                   if (pi.get("metadata") or {}).get("order_id") == order_id}
        return [dict(r) for r in stripe.api.store.of_kind("refund")
                if r.get("payment_intent") in intents]


def payment_ref(order_id: str) -> str:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT provider_ref FROM payments WHERE order_id = :id"),
                          {"id": order_id}).scalar_one()
