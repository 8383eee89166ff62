"""Helpers of the orders end-to-end tests: vendors that accept every method, products,
placing orders over HTTP, acting on the provider's test pages, waiting for a status."""

from __future__ import annotations

import time
import urllib.parse
import uuid

import requests

from tests.e2e.catalog import list_product
from tests.e2e.client import Api, User

RETURN_URL = "https://bazaar.example/orders/return"
ADDRESS = {"name": "Carla Customer", "line1": "1 Test Street", "postal_code": "10115",
           "city": "Berlin", "country": "DE"}
ALL_METHODS = ["card", "paypal", "bank_transfer"]
CARD = {"method": "card", "payment_method": "pm_card_visa", "return_url": RETURN_URL}
PAYPAL = {"method": "paypal", "return_url": RETURN_URL}
BANK_TRANSFER = {"method": "bank_transfer"}


def card(token: str = "pm_card_visa") -> dict:
    return {**CARD, "payment_method": token}


def accept_methods(api: Api, vendor: User, methods: list[str] | None = None) -> None:
    response = api.patch("/v1/vendors/me", headers=vendor.auth,
                         json={"payment_methods": methods or ALL_METHODS})
    assert response.status_code == 200, response.text


def stocked_product(api: Api, vendor: User, *, stock: int = 5, price: int = 2500,
                    **overrides) -> dict:
    return list_product(api, vendor, name=f"Lamp {uuid.uuid4().hex[:6]}", stock=stock,
                        price={"amount": price, "currency": "EUR"}, **overrides)


def order_body(items: list[tuple[str, int]], payment: dict, **overrides) -> dict:
    return {"items": [{"product_id": pid, "quantity": q} for pid, q in items],
            "payment": payment, "shipping_address": ADDRESS, **overrides}


def place(api: Api, buyer: User, body: dict, key: str | None = None) -> requests.Response:
    headers = {**buyer.auth, "Idempotency-Key": key or f"order-{uuid.uuid4()}"}
    return api.post("/v1/orders", headers=headers, json=body)


def get_order(api: Api, user: User, order_id: str) -> dict:
    response = api.get(f"/v1/orders/{order_id}", headers=user.auth)
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_status(api: Api, user: User, order_id: str, status: str,
                    timeout: float = 30) -> dict:
    """The order once it reached `status` (AssertionError with its last state otherwise)."""
    deadline = time.monotonic() + timeout
    while True:
        order = get_order(api, user, order_id)
        if order["status"] == status:
            return order
        assert time.monotonic() < deadline, f"still {order['status']}: {order}"
        time.sleep(0.1)


def act_on_page(url: str, action: str) -> requests.Response:
    """What the buyer does on the provider's test page: authorize or fail (3-D Secure,
    PayPal); the twin answers 303 to the return_url."""
    parts = urllib.parse.urlsplit(url)
    target = parts._replace(path=f"{parts.path.rstrip('/')}/{action}").geturl()
    return requests.post(target, allow_redirects=False, timeout=10)


def product_stock(api: Api, product_id: str) -> int:
    response = api.get(f"/v1/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["stock"]
