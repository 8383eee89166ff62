"""Placing orders over HTTP and paying them with every method, on the Stripe twin and the
Workflows stand-in: the order is paid only when the provider's webhook says so."""

from __future__ import annotations

import pytest

from tests.e2e.orders import (
    BANK_TRANSFER,
    PAYPAL,
    accept_methods,
    act_on_page,
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


@pytest.mark.events
def test_a_card_order_is_paid_once_the_webhook_says_so(api, customer, vendor):
    # Given a product with 5 in stock at 25.00
    product = stocked_product(api, vendor, stock=5, price=2500)
    # When the customer orders 2 with a card that needs nothing more
    response = place(api, customer, order_body([(product["id"], 2)], card()))
    # Then the order is accepted and waits for the payment, stock reserved (the answer is
    # the order as it is when answered: on a loaded machine the webhook and the saga can
    # have paid it already, which the CI run of 2026-12-01 saw once)
    assert response.status_code == 202, response.text
    placed = response.json()
    assert placed["status"] in ("pending_payment", "paid"), placed
    assert placed["total"] == {"amount": 5000, "currency": "EUR"}
    assert placed["payment"]["method"] == "card"
    assert product_stock(api, product["id"]) == 3
    # And the saga completes it once the provider's outcome arrives
    paid = wait_for_status(api, customer, placed["id"], "paid")
    assert [part["status"] for part in paid["parts"]] == ["paid"]
    assert paid["payment"]["status"] == "succeeded"
    assert paid["payment"]["amount_received"] == {"amount": 5000, "currency": "EUR"}
    steps = [step["step"] for step in paid["steps"]]
    assert steps[:2] == ["placed", "stock_reserved"] and steps.count("paid") == 1
    assert product_stock(api, product["id"]) == 3


def test_a_declined_card_is_402_and_the_stock_comes_back(api, customer, vendor):
    product = stocked_product(api, vendor, stock=4)
    response = place(api, customer, order_body([(product["id"], 3)],
                                               card("pm_card_visa_chargeDeclined")))
    assert response.status_code == 402, response.text
    problem = response.json()
    assert (problem["code"], problem["decline_code"]) == ("payment_failed", "generic_decline")
    order = get_order(api, customer, problem["order_id"])
    assert (order["status"], order["failure_reason"]) == ("payment_failed", "payment_declined")
    assert product_stock(api, product["id"]) == 4


@pytest.mark.parametrize("action,status", [("authorize", "paid"), ("fail", "payment_failed")],
                         ids=["3ds-passed", "3ds-failed"])
def test_a_card_that_needs_3d_secure(api, customer, vendor, action, status):
    # Given a card whose issuer wants 3-D Secure
    product = stocked_product(api, vendor, stock=2)
    placed = place(api, customer, order_body([(product["id"], 1)],
                                             card("pm_card_threeDSecure2Required"))).json()
    # Then the buyer is asked to authenticate at the provider
    action_needed = placed["payment"]["next_action"]
    assert placed["status"] == "pending_payment" and action_needed["type"] == "authenticate"
    # When the buyer passes (or fails) it on the provider's page
    page = act_on_page(action_needed["url"], action)
    assert page.status_code == 303
    # Then the provider's webhook decides, not the buyer's return
    order = wait_for_status(api, customer, placed["id"], status)
    assert product_stock(api, product["id"]) == (1 if status == "paid" else 2)
    assert order["payment"]["next_action"] is None


def test_paypal_approved_at_the_provider_pays_the_order(api, customer, vendor):
    product = stocked_product(api, vendor, stock=2)
    placed = place(api, customer, order_body([(product["id"], 1)], PAYPAL)).json()
    redirect = placed["payment"]["next_action"]
    assert redirect["type"] == "redirect"
    act_on_page(redirect["url"], "authorize")
    wait_for_status(api, customer, placed["id"], "paid")


def test_paypal_abandoned_times_out_and_the_stock_comes_back(api, customer, vendor):
    # Given a PayPal order the buyer never approves
    product = stocked_product(api, vendor, stock=2)
    placed = place(api, customer, order_body([(product["id"], 2)], PAYPAL)).json()
    assert product_stock(api, product["id"]) == 0
    # Then after the saga's callback timeout (15 min, 9 s at the test time scale)
    order = wait_for_status(api, customer, placed["id"], "payment_failed", timeout=40)
    # Then the payment is cancelled at the provider and the stock is back
    assert order["failure_reason"] == "payment_timeout"
    assert order["payment"]["status"] == "canceled"
    assert product_stock(api, product["id"]) == 2


def test_a_bank_transfer_shows_instructions_and_is_paid_when_funded(api, customer, vendor,
                                                                    stack):
    product = stocked_product(api, vendor, stock=3, price=4000)
    placed = place(api, customer, order_body([(product["id"], 1)], BANK_TRANSFER))
    assert placed.status_code == 202, placed.text
    shown = placed.json()["payment"]["next_action"]
    assert shown["type"] == "bank_transfer_instructions"
    assert shown["iban"].startswith("DE") and shown["bic"] and shown["reference"]
    assert shown["amount_remaining"] == {"amount": 4000, "currency": "EUR"}
    assert shown["expires_at"] == placed.json()["reservation_expires_at"]
