"""A bank-transfer order refunded over HTTP: the payment saga gives the money back to the
payer's bank, and the provider asks the buyer for the account at the buyer's email (sent to
the provider only: our provider customers carry no email)."""

from __future__ import annotations

import stripe as stripe_sdk
from sqlalchemy import text

from common import bootstrap
from tests.e2e.orders import BANK_TRANSFER, accept_methods, order_body, place, wait_for_status
from tests.integration.refunds.orders import eventually, product, provider_refunds, refund_row


def _fund(stack, buyer_id: str, amount: int, reference: str) -> None:  # noqa: ANN001
    """The buyer's bank sends `amount` quoting `reference` (Stripe's test helper)."""
    twin = stack.services["stripe"]
    sdk = stripe_sdk.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                                  max_network_retries=0)
    with bootstrap.engine().connect() as db:
        customer = db.execute(text("SELECT provider_customer_ref FROM "
                                   "customer_payment_profiles WHERE account_id = :id"),
                              {"id": buyer_id}).scalar_one()
    sdk.v1.test_helpers.customers.fund_cash_balance(
        customer, params={"amount": amount, "currency": "eur", "reference": reference})


def test_a_paid_bank_transfer_cancelled_is_refunded_to_the_payers_bank(
        api, stack, customer, verified_vendor):
    # Given a bank-transfer order of 2 × 30.00, funded in full and paid
    accept_methods(api, verified_vendor)
    lamp = product(api, verified_vendor, price=3000)
    placed = place(api, customer, order_body([(lamp, 2)], BANK_TRANSFER))
    assert placed.status_code == 202, placed.text
    reference = placed.json()["payment"]["next_action"]["reference"]
    _fund(stack, customer.id, 6000, reference)
    wait_for_status(api, customer, placed.json()["id"], "paid")

    # When the buyer cancels it
    cancelled = api.post(f"/v1/orders/{placed.json()['id']}:cancel", headers=customer.auth)
    assert cancelled.status_code == 200, cancelled.text
    refund_id = cancelled.json()["refund"]["id"]

    # Then the saga refunded all 60.00 to the payer's bank, the provider writing to the buyer
    done = eventually(lambda: refund_row(refund_id), lambda row: row.status != "requested")
    assert (done.status, done.failure_reason) == ("succeeded", None)
    [given] = provider_refunds(stack.services["stripe"], placed.json()["id"])
    assert (given["amount"], given["instructions_email"],
            given["destination_details"]["type"]) == (6000, customer.email, "eu_bank_transfer")
