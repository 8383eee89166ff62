"""Orders over HTTP beyond a single payment: bank transfers funded in parts or never, two
vendors, the Idempotency-Key replay, webhooks racing and repeating, a saga killed mid-wait,
and bad input."""

from __future__ import annotations

import uuid

import pytest
import stripe
from sqlalchemy import text

from common import bootstrap
from tests.e2e.orders import (
    BANK_TRANSFER,
    accept_methods,
    card,
    get_order,
    order_body,
    place,
    product_stock,
    stocked_product,
    wait_for_status,
)


@pytest.fixture
def vendor(api, verified_vendor):
    accept_methods(api, verified_vendor)
    return verified_vendor


@pytest.fixture(scope="module")
def twin_sdk(stack) -> stripe.StripeClient:
    twin = stack.services["stripe"]
    return stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                               max_network_retries=0)


def fund(twin_sdk, buyer_id: str, amount: int, reference: str) -> None:
    """The buyer's bank sends `amount` quoting `reference` (Stripe's test helper)."""
    with bootstrap.engine().connect() as db:
        customer = db.execute(text("SELECT provider_customer_ref FROM "
                                   "customer_payment_profiles WHERE account_id = :id"),
                              {"id": buyer_id}).scalar()
    twin_sdk.v1.test_helpers.customers.fund_cash_balance(
        customer, params={"amount": amount, "currency": "eur", "reference": reference})


def test_a_bank_transfer_partly_funded_waits_then_is_paid(api, customer, vendor, twin_sdk):
    # Given a bank transfer order of 100.00
    product = stocked_product(api, vendor, stock=2, price=10000)
    placed = place(api, customer, order_body([(product["id"], 1)], BANK_TRANSFER)).json()
    reference = placed["payment"]["next_action"]["reference"]
    # When 40.00 arrives
    fund(twin_sdk, customer.id, 4000, reference)
    # Then the order still waits, with 60.00 remaining
    order = _wait(api, customer, placed["id"],
                  lambda o: o["payment"]["amount_received"]["amount"] == 4000)
    assert order["status"] == "pending_payment"
    assert order["payment"]["next_action"]["amount_remaining"]["amount"] == 6000
    # When the remaining 60.00 arrives, it is paid
    fund(twin_sdk, customer.id, 6000, reference)
    paid = wait_for_status(api, customer, placed["id"], "paid")
    assert paid["payment"]["amount_received"]["amount"] == 10000


def test_a_bank_transfer_never_funded_is_released_at_expiry(api, customer, vendor, stack):
    # Given a bank transfer order whose reservation has run out (7 days, moved to the past)
    product = stocked_product(api, vendor, stock=3)
    placed = place(api, customer, order_body([(product["id"], 3)], BANK_TRANSFER)).json()
    assert product_stock(api, product["id"]) == 0
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE orders SET reservation_expires_at = now() - interval '1 s' "
                        "WHERE id = :id"), {"id": placed["id"]})
    # When the expiry sweep runs
    status = stack.services["scheduler"].trigger("expire_reservations")
    # Then the payment is cancelled, the order failed, the stock back
    assert status.last_status == 200
    order = wait_for_status(api, customer, placed["id"], "payment_failed")
    assert order["failure_reason"] == "reservation_expired"
    assert order["payment"]["status"] == "canceled"
    assert product_stock(api, product["id"]) == 3


def test_a_two_vendor_order_has_a_part_and_commission_per_vendor(api, customer, vendor,
                                                                 verified_vendor, admin):
    other = api.register("vendor")
    api.post(f"/v1/admin/vendors/{other.id}:verify", headers=admin.auth,
             json={"checklist": {"business_registration": True, "identity": True,
                                 "address": True, "bank_account": True}})
    accept_methods(api, other, ["card", "paypal"])
    first = stocked_product(api, vendor, price=1005)
    second = stocked_product(api, other, price=2000)
    placed = place(api, customer, order_body([(first["id"], 1), (second["id"], 3)],
                                             card())).json()
    paid = wait_for_status(api, customer, placed["id"], "paid")
    parts = {part["vendor_id"]: part for part in paid["parts"]}
    assert paid["total"]["amount"] == 7005
    # 10 % of 10.05 is 1.005: half-even rounds to 1.00; 10 % of 60.00 is 6.00
    assert parts[vendor.id]["commission"]["amount"] == 100
    assert parts[other.id]["commission"]["amount"] == 600
    # And each vendor sees only its own part
    seen = get_order(api, other, placed["id"])
    assert [p["vendor_id"] for p in seen["parts"]] == [other.id]
    assert seen["total"]["amount"] == 6000


def test_a_replayed_key_returns_the_order_as_it_is_now(api, customer, vendor):
    product = stocked_product(api, vendor, stock=5)
    body, key = order_body([(product["id"], 1)], card()), f"k-{uuid.uuid4()}"
    first = place(api, customer, body, key)
    wait_for_status(api, customer, first.json()["id"], "paid")
    again = place(api, customer, body, key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert (again.json()["id"], again.json()["status"]) == (first.json()["id"], "paid")
    assert product_stock(api, product["id"]) == 4
    other = place(api, customer, order_body([(product["id"], 2)], card()), key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


def test_someone_elses_order_is_404(api, customer, vendor):
    product = stocked_product(api, vendor)
    placed = place(api, customer, order_body([(product["id"], 1)], card())).json()
    stranger = api.register("customer")
    assert api.get(f"/v1/orders/{placed['id']}", headers=stranger.auth).status_code == 404
    mine = api.get("/v1/orders", headers=customer.auth).json()["items"]
    assert [o["id"] for o in mine] == [placed["id"]]


@pytest.mark.events
def test_duplicate_and_reordered_webhooks_pay_the_order_once(api, customer, vendor):
    # The `events` re-run has the twin deliver every webhook twice and out of order.
    product = stocked_product(api, vendor, stock=3)
    placed = place(api, customer, order_body([(product["id"], 1)], card())).json()
    paid = wait_for_status(api, customer, placed["id"], "paid")
    assert [s["step"] for s in paid["steps"]].count("paid") == 1
    with bootstrap.engine().connect() as db:
        events = db.execute(text("SELECT count(*) FROM outbox_events WHERE type = 'order.paid' "
                                 "AND payload->>'order_id' = :id"), {"id": placed["id"]})
        assert events.scalar() == 1
    assert paid["payment"]["status"] == "succeeded"


def test_a_saga_cancelled_mid_wait_is_finished_by_the_reconciler(api, customer, vendor,
                                                                stack):
    # Given a 3-D Secure order waiting for the buyer, its saga cancelled
    from tests.e2e.orders import act_on_page

    product = stocked_product(api, vendor, stock=2)
    placed = place(api, customer, order_body([(product["id"], 1)],
                                             card("pm_card_threeDSecure2Required"))).json()
    with bootstrap.engine().connect() as db:
        name = db.execute(text("SELECT execution_name FROM orders WHERE id = :id"),
                          {"id": placed["id"]}).scalar()
    bootstrap.workflow_executions().cancel(name)
    # When the buyer authenticates (the webhook finds no one waiting) and the reconciler runs
    act_on_page(placed["payment"]["next_action"]["url"], "authorize")
    _wait(api, customer, placed["id"], lambda o: o["payment"]["status"] == "succeeded")
    stack.services["scheduler"].trigger("reconcile_orders")
    # Then the order is paid from the provider's state
    wait_for_status(api, customer, placed["id"], "paid")
    assert product_stock(api, product["id"]) == 1


@pytest.mark.parametrize("items,field", [
    ([{"quantity": 0}], "quantity"), ([{"quantity": -1}], "quantity"),
    ([{"quantity": 1.5}], "quantity"), ([{"quantity": 10**9}], "quantity"),
    ([{"quantity": 1}, {"quantity": 2}], "items"),
], ids=["zero", "negative", "fractional", "huge", "twice"])
def test_bad_quantities_are_422_and_nothing_is_reserved(api, customer, vendor, items, field):
    product = stocked_product(api, vendor, stock=5)
    body = order_body([], card())
    body["items"] = [{"product_id": product["id"], **item} for item in items]
    response = place(api, customer, body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert product_stock(api, product["id"]) == 5


@pytest.mark.parametrize("change", [
    {"payment": {"method": "cash"}}, {"shipping_address": {"name": "x"}},
], ids=["unknown-method", "malformed-address"])
def test_bad_payment_or_address_is_422(api, customer, vendor, change):
    product = stocked_product(api, vendor, stock=5)
    response = place(api, customer, {**order_body([(product["id"], 1)], card()), **change})
    assert response.status_code == 422, response.text
    assert product_stock(api, product["id"]) == 5


def test_a_missing_key_is_400_and_a_vendor_may_not_buy(api, customer, vendor):
    product = stocked_product(api, vendor, stock=5)
    body = order_body([(product["id"], 1)], card())
    assert api.post("/v1/orders", headers=customer.auth, json=body).status_code == 400
    refused = place(api, vendor, body)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert product_stock(api, product["id"]) == 5


def test_a_method_a_vendor_refuses_is_422_with_the_accepted_ones(api, customer, vendor,
                                                                  admin):
    accept_methods(api, vendor, ["card", "paypal"])
    product = stocked_product(api, vendor)
    response = place(api, customer, order_body([(product["id"], 1)], BANK_TRANSFER))
    assert response.status_code == 422
    assert response.json()["supported_methods"] == ["card", "paypal"]


def test_a_changed_price_and_too_little_stock_are_409(api, customer, vendor):
    product = stocked_product(api, vendor, stock=1, price=2500)
    body = order_body([(product["id"], 1)], card())
    body["items"][0]["expected_unit_price"] = {"amount": 2400, "currency": "EUR"}
    changed = place(api, customer, body)
    assert (changed.status_code, changed.json()["code"]) == (409, "price_changed")
    short = place(api, customer, order_body([(product["id"], 2)], card()))
    assert short.status_code == 409
    assert short.json()["items"] == [{"product_id": product["id"], "available": 1}]


def _wait(api, user, order_id, done, timeout: float = 30) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while True:
        order = get_order(api, user, order_id)
        if done(order):
            return order
        assert time.monotonic() < deadline, order
        time.sleep(0.1)
