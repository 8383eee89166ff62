"""Helpers of the review list and moderation end-to-end tests: buyers who paid for a
product (the real path: POST /v1/orders, the saga, the twin's webhook) and their reviews,
and what the outbox, the audit log and the reviews table then hold."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from common import bootstrap
from tests.e2e.client import Api, User
from tests.integration.refunds.orders import paid_order, product


def review_body(rating: int = 4, title: str = "Works well",
                text_: str = "Bright and quiet.") -> dict[str, Any]:
    return {"rating": rating, "title": title, "text": text_}


def bought_product(api: Api, vendor: User) -> str:
    """A new product of the vendor, in stock for a few buyers."""
    return product(api, vendor, price=1500, stock=20)


def buyer_review(api: Api, product_id: str, rating: int = 4, **body: Any) -> tuple[User, dict]:
    """A new customer buys the product, then reviews it: (the buyer, the review as posted)."""
    buyer = api.register("customer")
    paid_order(api, buyer, [(product_id, 1)])
    response = api.post(f"/v1/products/{product_id}/reviews", headers=buyer.auth,
                        json={**review_body(rating), **body})
    assert response.status_code == 201, response.text
    return buyer, response.json()


def listed(api: Api, product_id: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/v1/products/{product_id}/reviews", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def listed_ids(api: Api, product_id: str, **params: Any) -> list[str]:
    return [item["id"] for item in listed(api, product_id, **params)["items"]]


def rating(api: Api, product_id: str) -> dict[str, Any]:
    """The product's rating summary as GET /v1/products/{id} shows it."""
    response = api.get(f"/v1/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["rating"]


def review_events(review_id: str, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the review's events of this type in the outbox, oldest first."""
    with bootstrap.engine().connect() as db:
        return [row.payload for row in db.execute(text(
            "SELECT payload FROM outbox_events WHERE type = :type "
            "AND payload->>'review_id' = :review ORDER BY occurred_at"),
            {"type": event_type, "review": review_id})]


def review_row(review_id: str) -> Any:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT * FROM reviews WHERE id = :id"), {"id": review_id}).one()


def audit(review_id: str) -> list[tuple[str, str, str]]:
    """(admin_id, action, reason) of the admin actions on the review, oldest first."""
    with bootstrap.engine().connect() as db:
        return [(str(r.admin_id), r.action, r.reason) for r in db.execute(text(
            "SELECT admin_id, action, reason FROM admin_actions WHERE target_id = :id "
            "ORDER BY id"), {"id": review_id})]
