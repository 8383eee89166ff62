"""Ship and deliver over HTTP: each vendor ships its own part, the buyer confirms delivery
(or the delivery timeout does), the order follows its parts, and nobody else may."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from common import bootstrap
from tests.integration.ledger.money import paid_order, settle

pytestmark = pytest.mark.events


@pytest.fixture
def another_vendor(api, admin):  # noqa: ANN001, ANN201
    from tests.e2e.client import CHECKLIST

    vendor = api.register("vendor")
    answer = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=admin.auth,
                      json={"checklist": CHECKLIST})
    assert answer.status_code == 200, answer.text
    return vendor


def _paid(api, pubsub, customer, *vendors):  # noqa: ANN001, ANN002, ANN202
    paid = paid_order(api, customer, [(vendor, 5000) for vendor in vendors])
    settle(pubsub)
    return paid


def _statuses(body: dict) -> list[str]:
    return [part["status"] for part in body["parts"]]


def test_each_vendor_ships_its_part_and_the_buyer_confirms_delivery(
        api, pubsub, customer, verified_vendor, another_vendor):
    # Given a paid order with a part from each of two vendors
    paid = _paid(api, pubsub, customer, verified_vendor, another_vendor)
    path = f"/v1/orders/{paid.order_id}"

    # When the first vendor ships with a tracking reference
    first = api.post(f"{path}:ship", headers=verified_vendor.auth, json={"tracking": "DHL-1"})

    # Then it sees only its part, shipped; the order is still paid
    assert first.status_code == 200, first.text
    assert (first.json()["status"], len(first.json()["parts"])) == ("paid", 1)
    assert (first.json()["parts"][0]["status"], first.json()["parts"][0]["tracking"]) == (
        "shipped", "DHL-1")

    # When the second ships too, the order is shipped; shipping again is refused
    second = api.post(f"{path}:ship", headers=another_vendor.auth, json={})
    assert (second.status_code, second.json()["status"]) == (200, "shipped")
    again = api.post(f"{path}:ship", headers=another_vendor.auth, json={})
    assert (again.status_code, again.json()["code"]) == (409, "part_not_shippable")

    # When the buyer confirms delivery of everything shipped
    delivered = api.post(f"{path}:deliver", headers=customer.auth, json={})

    # Then every part and the order are delivered; a second confirmation is refused
    assert delivered.status_code == 200, delivered.text
    assert (delivered.json()["status"], _statuses(delivered.json())) == (
        "delivered", ["delivered", "delivered"])
    assert api.post(f"{path}:deliver", headers=customer.auth, json={}).status_code == 409


def test_only_the_parts_vendor_ships_and_only_the_buyer_delivers(
        api, pubsub, customer, verified_vendor, another_vendor):
    paid = _paid(api, pubsub, customer, verified_vendor)
    path = f"/v1/orders/{paid.order_id}"
    stranger = api.register("customer")

    assert api.post(f"{path}:ship", headers=another_vendor.auth, json={}).status_code == 404
    assert api.post(f"{path}:ship", headers=customer.auth, json={}).status_code == 403
    assert api.post(f"{path}:deliver", headers=customer.auth, json={}).status_code == 409
    assert api.post(f"{path}:ship", headers=verified_vendor.auth, json={}).status_code == 200
    assert api.post(f"{path}:deliver", headers=verified_vendor.auth, json={}).status_code == 403
    assert api.post(f"{path}:deliver", headers=stranger.auth, json={}).status_code == 404
    unknown = api.post(f"{path}:deliver", headers=customer.auth,
                       json={"part_id": paid.order_id})
    assert unknown.status_code == 404


def test_the_delivery_timeout_delivers_a_part_shipped_long_ago(
        api, stack, pubsub, customer, verified_vendor):
    # Given a part shipped 15 days ago (AUTO_DELIVERY_DAYS is 14) that the buyer never confirmed
    paid = _paid(api, pubsub, customer, verified_vendor)
    part_id = paid.parts[0].part_id
    shipped = api.post(f"/v1/orders/{paid.order_id}:ship", headers=verified_vendor.auth, json={})
    assert shipped.status_code == 200, shipped.text
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE order_parts SET shipped_at = now() - interval '15 days' "
                        "WHERE id = :id"), {"id": part_id})

    # When the scheduled delivery timeout runs
    run = stack.services["scheduler"].trigger("deliver_overdue_parts")

    # Then the part and the order are delivered
    assert run.last_status == 200
    with bootstrap.engine().connect() as db:
        row = db.execute(text("SELECT p.status AS part, o.status AS order_status FROM "
                              "order_parts p JOIN orders o ON o.id = p.order_id "
                              "WHERE p.id = :id"), {"id": part_id}).one()
    assert (row.part, row.order_status) == ("delivered", "delivered")
