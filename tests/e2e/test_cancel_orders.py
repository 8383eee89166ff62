"""The buyer cancels before anything shipped (POST /v1/orders/{id}:cancel): an unpaid order
has its payment voided and its stock released; a paid one is refunded in full through the
payment saga, its stock returned and order.cancelled emitted; after shipping it is 409."""

from __future__ import annotations

import pytest

from tests.integration.refunds.orders import (
    events,
    eventually,
    order,
    paid_order,
    place,
    product,
    provider_refunds,
    refund_row,
    stock,
)


@pytest.fixture
def stripe(stack):
    return stack.services["stripe"]


def test_cancel_before_payment_voids_it_and_releases_the_stock(api, customer, verified_vendor,
                                                               stripe):
    # Given an order waiting for 3-D Secure (stock reserved)
    lamp = product(api, verified_vendor, price=2500, stock=5)
    placed = place(api, customer, [(lamp, 2)], card="pm_card_threeDSecure2Required")
    assert placed["status"] == "pending_payment" and stock(lamp) == 3

    # When the buyer cancels, twice
    first = api.post(f"/v1/orders/{placed['id']}:cancel", headers=customer.auth)
    again = api.post(f"/v1/orders/{placed['id']}:cancel", headers=customer.auth)

    # Then the order is cancelled, its payment voided, the stock back once, nothing refunded
    assert first.status_code == 200, first.text
    assert first.json() == {"id": placed["id"], "status": "cancelled", "refund": None}
    assert again.status_code == 200 and again.json() == first.json()
    assert stock(lamp) == 5
    assert order(api, customer, placed["id"])["payment"]["status"] == "canceled"
    assert provider_refunds(stripe, placed["id"]) == []


def test_cancel_after_payment_refunds_everything_and_returns_the_stock(
        api, customer, verified_vendor, stripe):
    # Given a paid order of 2 × 2500 and 1 × 999 (stock 5 and 4 before it)
    lamp = product(api, verified_vendor, price=2500, stock=5)
    rug = product(api, verified_vendor, price=999, stock=4)
    paid = paid_order(api, customer, [(lamp, 2), (rug, 1)])
    assert (stock(lamp), stock(rug)) == (3, 3)

    # When the buyer cancels
    response = api.post(f"/v1/orders/{paid['id']}:cancel", headers=customer.auth)

    # Then the order is cancelled at once with its stock back, and a refund of all of it
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["refund"]["kind"] == "cancel"
    assert body["refund"]["amount"] == {"amount": 5999, "currency": "EUR"}
    assert (stock(lamp), stock(rug)) == (5, 4)
    refund_id = body["refund"]["id"]
    # And the payment saga refunded it at the provider once, and recorded it
    done = eventually(lambda: refund_row(refund_id), lambda r: r.status != "requested")
    assert done.status == "succeeded", saga_state(done.execution_name)
    assert [r["amount"] for r in provider_refunds(stripe, paid["id"])] == [5999]
    [cancelled] = events(paid["id"], "order.cancelled")
    part = paid["parts"][0]
    assert cancelled == {
        "order_id": paid["id"], "buyer_id": customer.id, "refunded_amount": 5999,
        "refund_id": refund_id,
        "parts": [{"part_id": part["id"], "vendor_id": verified_vendor.id, "amount": 5999,
                   "commission_returned": part["commission"]["amount"]}]}
    view = order(api, customer, paid["id"])
    assert view["status"] == "cancelled" and view["parts"][0]["status"] == "cancelled"
    assert sorted(line["refunded_quantity"] for line in view["parts"][0]["lines"]) == [1, 2]

    # When the buyer cancels again, Then the same cancellation is answered, nothing more done
    again = api.post(f"/v1/orders/{paid['id']}:cancel", headers=customer.auth)
    assert again.status_code == 200 and again.json()["refund"]["id"] == refund_id
    assert len(provider_refunds(stripe, paid["id"])) == 1 and (stock(lamp), stock(rug)) == (5, 4)


def test_cancel_after_shipping_is_a_conflict(api, customer, verified_vendor, stripe):
    # Given a paid order whose vendor shipped it
    lamp = product(api, verified_vendor, price=1500)
    paid = paid_order(api, customer, [(lamp, 1)])
    shipped = api.post(f"/v1/orders/{paid['id']}:ship", headers=verified_vendor.auth,
                       json={"tracking": "TRACK-1"})
    assert shipped.status_code == 200, shipped.text

    # When the buyer cancels
    response = api.post(f"/v1/orders/{paid['id']}:cancel", headers=customer.auth)

    # Then it is refused: 409, nothing refunded
    assert response.status_code == 409
    assert response.json()["code"] == "order_already_shipped"
    assert provider_refunds(stripe, paid["id"]) == []


def test_someone_elses_order_cannot_be_cancelled(api, customer, verified_vendor):
    lamp = product(api, verified_vendor, price=1500)
    placed = place(api, customer, [(lamp, 1)], card="pm_card_threeDSecure2Required")
    stranger = api.register("customer")

    response = api.post(f"/v1/orders/{placed['id']}:cancel", headers=stranger.auth)

    assert response.status_code == 404
    assert order(api, customer, placed["id"])["status"] == "pending_payment"


def saga_state(execution_name: str | None):
    """The refund's payment saga as Workflows last saw it (the failure's message)."""
    from common import bootstrap

    return bootstrap.workflow_executions().get(execution_name) if execution_name else None
