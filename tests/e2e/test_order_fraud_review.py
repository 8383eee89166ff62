"""Orders held for a fraud review over HTTP, with the real fraud worker: the canonical
REVIEW recipe (a fresh customer's first order of ≥ €500, shipped to DE from a US client) is
held, then cleared (captured, paid) or confirmed (voided, cancelled) by an admin's resolve."""

from __future__ import annotations

import uuid

from tests.e2e.orders import (
    accept_methods,
    card,
    get_order,
    order_body,
    product_stock,
    stocked_product,
    wait_for_status,
)

US_CLIENT = {"X-Client-Region": "US"}


def _held_order(api, customer, vendor) -> tuple[dict, str]:
    accept_methods(api, vendor)
    product = stocked_product(api, vendor, stock=3, price=60_000)
    headers = {**customer.auth, **US_CLIENT, "Idempotency-Key": f"order-{uuid.uuid4()}",
               "X-Device-Id": f"device-{uuid.uuid4().hex[:12]}"}
    response = api.post("/v1/orders", headers=headers,
                        json=order_body([(product["id"], 1)], card()))
    assert response.status_code == 202, response.text
    return response.json(), product["id"]


def _case_of(api, admin, order_id: str) -> dict:
    token = None
    while True:
        query = {"status": "open", "kind": "order", **({"page_token": token} if token else {})}
        page = api.get("/v1/admin/fraud-cases", headers=admin.auth, params=query)
        assert page.status_code == 200, page.text
        found = [c for c in page.json()["items"] if c["subject_id"] == order_id]
        if found:
            return found[0]
        token = page.json()["next_page_token"]
        assert token, f"no open case for order {order_id}"


def _resolve(api, admin, case_id: str, resolution: str) -> None:
    response = api.post(f"/v1/admin/fraud-cases/{case_id}:resolve", headers=admin.auth,
                        json={"resolution": resolution, "note": "e2e"})
    assert response.status_code == 200, response.text


def test_a_first_high_value_order_from_abroad_is_held_for_review(api, customer,
                                                                 verified_vendor, admin):
    # Given a fresh customer, when they order €600 shipped to DE from a US client
    placed, product = _held_order(api, customer, verified_vendor)
    # Then the order is held: stock reserved, the card only authorized, a case opened
    assert placed["status"] == "pending_review"
    assert placed["payment"]["status"] == "authorized"
    assert get_order(api, customer, placed["id"])["status"] == "pending_review"
    assert product_stock(api, product) == 2
    case = _case_of(api, admin, placed["id"])
    assert (case["kind"], case["action"], case["account_id"]) == (
        "order", "order_held", customer.id)


def test_a_cleared_review_captures_the_card_and_the_order_is_paid(api, customer,
                                                                  verified_vendor, admin):
    placed, product = _held_order(api, customer, verified_vendor)
    _resolve(api, admin, _case_of(api, admin, placed["id"])["id"], "cleared")
    order = wait_for_status(api, customer, placed["id"], "paid")
    assert order["payment"]["status"] == "succeeded"
    assert product_stock(api, product) == 2


def test_a_confirmed_review_voids_the_card_and_cancels_the_order(api, customer,
                                                                 verified_vendor, admin):
    placed, product = _held_order(api, customer, verified_vendor)
    _resolve(api, admin, _case_of(api, admin, placed["id"])["id"], "confirmed")
    order = get_order(api, admin, placed["id"])
    assert (order["status"], order["payment"]["status"]) == ("cancelled", "canceled")
    assert product_stock(api, product) == 3


def test_the_buyer_may_withdraw_a_held_order_and_its_authorization_is_voided(
        api, customer, verified_vendor, admin):
    # Given an order held for review
    placed, product = _held_order(api, customer, verified_vendor)

    # When its buyer cancels it
    response = api.post(f"/v1/orders/{placed['id']}:cancel", headers=customer.auth)

    # Then it is cancelled with nothing charged and the stock back; the case stays open, and
    # the admin's later clearing finds the order ended (and charges nothing)
    assert response.status_code == 200, response.text
    order = get_order(api, customer, placed["id"])
    assert (order["status"], order["payment"]["status"]) == ("cancelled", "canceled")
    assert product_stock(api, product) == 3
    _resolve(api, admin, _case_of(api, admin, placed["id"])["id"], "cleared")
    assert get_order(api, customer, placed["id"])["status"] == "cancelled"
