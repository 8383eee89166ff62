"""Refunds of lines (POST /v1/orders/{id}:refund) by the vendor (its part's lines) or an
admin (any line), executed by the payment saga: never more than paid, commission returned
pro rata, the order refunded once everything is, one provider refund per Idempotency-Key."""

from __future__ import annotations

import pytest

from tests.e2e.client import CHECKLIST
from tests.integration.refunds.orders import (
    events,
    eventually,
    key,
    lines,
    order,
    paid_order,
    product,
    provider_refunds,
    refund_row,
)


@pytest.fixture
def stripe(stack):
    return stack.services["stripe"]


@pytest.fixture
def other_vendor(api, admin):
    vendor = api.register("vendor")
    response = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                        json={"checklist": CHECKLIST})
    assert response.status_code == 200, response.text
    return vendor


@pytest.fixture
def two_vendor_order(api, customer, verified_vendor, other_vendor):
    """Paid: 3 lamps × 1999 (commission 10 % = 600 on the line) from verified_vendor, and
    1 rug × 4500 (450) from other_vendor."""
    lamp = product(api, verified_vendor, price=1999)
    rug = product(api, other_vendor, price=4500)
    paid = paid_order(api, customer, [(lamp, 3), (rug, 1)])
    return paid, lamp, rug


def refund(api, user, order_id: str, body: dict, idempotency_key: str | None = None):
    headers = {**user.auth, **({"Idempotency-Key": idempotency_key} if idempotency_key else {})}
    return api.post(f"/v1/orders/{order_id}:refund", headers=headers, json=body)


def finished(refund_id: str):
    return eventually(lambda: refund_row(refund_id), lambda r: r.status != "requested")


def test_the_vendor_refunds_part_of_its_line_and_the_commission_comes_back_pro_rata(
        api, customer, verified_vendor, two_vendor_order, stripe):
    # Given a paid two-vendor order
    paid, lamp, _ = two_vendor_order
    line = lines(paid)[lamp]

    # When the lamps' vendor refunds 1 of its 3 lamps
    response = refund(api, verified_vendor, paid["id"], {
        "lines": [{"line_id": line["id"], "quantity": 1}], "reason": "Arrived scratched"})

    # Then the refund is requested for 1999 with 200 of the 600 commission (1/3, half-even)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["kind"], body["amount"]["amount"],
            body["commission_returned"]["amount"]) == ("requested", "refund", 1999, 200)
    # And the saga refunded 1999 at the provider and recorded it: the order stays paid
    assert finished(body["id"]).status == "succeeded"
    assert [r["amount"] for r in provider_refunds(stripe, paid["id"])] == [1999]
    view = order(api, customer, paid["id"])
    assert view["status"] == "paid"
    assert (lines(view)[lamp]["refunded_quantity"], lines(view)[lamp]["refunded"]["amount"]) \
        == (1, 1999)
    part = next(p for p in paid["parts"] if p["vendor_id"] == verified_vendor.id)
    assert events(paid["id"], "order.refunded") == [{
        "order_id": paid["id"], "refund_id": body["id"], "amount": 1999,
        "parts": [{"part_id": part["id"], "vendor_id": verified_vendor.id, "amount": 1999,
                   "commission_returned": 200}]}]


def test_more_than_paid_is_refused(api, verified_vendor, two_vendor_order, stripe):
    paid, lamp, _ = two_vendor_order

    response = refund(api, verified_vendor, paid["id"], {
        "lines": [{"line_id": lines(paid)[lamp]["id"], "quantity": 4}], "reason": "Too many"})

    assert response.status_code == 422
    assert response.json()["code"] == "refund_exceeds_paid"
    assert response.json()["quantity_left"] == 3
    assert provider_refunds(stripe, paid["id"]) == []


def test_a_vendor_cannot_refund_another_vendors_order_or_lines(
        api, admin, other_vendor, two_vendor_order, stripe):
    paid, lamp, _ = two_vendor_order
    stranger = api.register("vendor")
    api.post(f"/v1/admin/vendors/{stranger.id}:verify", headers=admin.auth,
             json={"checklist": CHECKLIST})

    outside = refund(api, stranger, paid["id"], {"reason": "Not mine"})
    other_line = refund(api, other_vendor, paid["id"], {
        "lines": [{"line_id": lines(paid)[lamp]["id"], "quantity": 1}], "reason": "Not mine"})

    assert outside.status_code == 404
    assert other_line.status_code == 422
    assert other_line.json()["errors"][0]["field"] == "lines[0].line_id"
    assert provider_refunds(stripe, paid["id"]) == []


def test_an_admin_refunds_the_rest_and_the_order_is_refunded(
        api, admin, customer, verified_vendor, two_vendor_order, stripe):
    # Given a paid order of which the vendor refunded 1 lamp
    paid, lamp, rug = two_vendor_order
    first = refund(api, verified_vendor, paid["id"], {
        "lines": [{"line_id": lines(paid)[lamp]["id"], "quantity": 1}], "reason": "Scratched"})
    assert finished(first.json()["id"]).status == "succeeded"

    # When an admin refunds everything left
    rest = refund(api, admin, paid["id"], {"reason": "Goodwill"})

    # Then the rest (2 lamps and the rug) comes back with the commission's remainder, and the
    # order and its parts are refunded
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert body["amount"]["amount"] == 2 * 1999 + 4500
    assert body["commission_returned"]["amount"] == (600 - 200) + 450
    assert finished(body["id"]).status == "succeeded"
    assert sorted(r["amount"] for r in provider_refunds(stripe, paid["id"])) == [1999, 8498]
    view = order(api, customer, paid["id"])
    assert view["status"] == "refunded"
    assert [p["status"] for p in view["parts"]] == ["refunded", "refunded"]
    assert lines(view)[rug]["refunded"]["amount"] == 4500
    # And nothing is left: another refund is a conflict
    again = refund(api, admin, paid["id"], {"reason": "Again"})
    assert (again.status_code, again.json()["code"]) == (409, "nothing_to_refund")


def test_a_replayed_refund_makes_one_provider_refund(api, verified_vendor, two_vendor_order,
                                                     stripe):
    # Given a refund request with an Idempotency-Key
    paid, lamp, _ = two_vendor_order
    body = {"lines": [{"line_id": lines(paid)[lamp]["id"], "quantity": 2}], "reason": "Broken"}
    idempotency_key = key()
    first = refund(api, verified_vendor, paid["id"], body, idempotency_key)

    # When the client sends it again with the same key
    again = refund(api, verified_vendor, paid["id"], body, idempotency_key)

    # Then it is the same refund, replayed, and the provider refunded once
    assert first.status_code == 200 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert finished(first.json()["id"]).status == "succeeded"
    assert [r["amount"] for r in provider_refunds(stripe, paid["id"])] == [3998]


def test_the_buyer_cannot_refund(api, customer, two_vendor_order):
    paid, _, _ = two_vendor_order

    response = refund(api, customer, paid["id"], {"reason": "I want my money"})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
