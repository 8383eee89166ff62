"""A bank transfer is refunded to the payer's bank: the port passes the email the provider
asks the payer at for their account (our provider customers carry none), and only there."""

from __future__ import annotations

import pytest

from common.domain.errors import InternalError
from common.domain.payments import NewPayment, PaymentStatus
from tests.integration.payments.conftest import card_payment, key, new_id

PAYER = "payer@example.test"


def _funded_bank_transfer(payments, sdk, amount: int = 1000) -> str:  # noqa: ANN001
    """A bank transfer of a fresh buyer, funded in full: its provider ref."""
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    attempt = payments.start_payment(NewPayment(
        order_id=new_id(), payment_id=new_id(), amount=amount, currency="eur",
        method="bank_transfer", customer_ref=customer, bank_country="DE"),
        idempotency_key=key())
    sdk.v1.test_helpers.customers.fund_cash_balance(customer, params={
        "amount": amount, "currency": "eur", "reference": attempt.next_action.reference})
    assert payments.get_payment(attempt.payment_ref).status is PaymentStatus.SUCCEEDED
    return attempt.payment_ref


def test_a_bank_transfer_refund_asks_the_payer_at_the_email_given(payments, sdk):
    # Given a funded bank transfer of 10.00
    payment_ref = _funded_bank_transfer(payments, sdk)

    # When 4.00 is refunded with the payer's email
    refund = payments.refund(payment_ref, amount=400, instructions_email=PAYER,
                             idempotency_key=key())

    # Then the provider refunds it to the payer's bank and writes to that address
    assert (refund.amount, refund.status) == (400, "succeeded")
    at_provider = sdk.v1.refunds.retrieve(refund.refund_ref)
    assert (at_provider.instructions_email, at_provider.destination_details.type) == (
        PAYER, "eu_bank_transfer")


def test_a_bank_transfer_refund_without_an_email_is_refused_and_refunds_nothing(payments, sdk):
    # Given a funded bank transfer
    payment_ref = _funded_bank_transfer(payments, sdk)

    # When it is refunded without an email, Then the provider refuses (a bug of ours)
    with pytest.raises(InternalError):
        payments.refund(payment_ref, amount=400, idempotency_key=key())
    charge = sdk.v1.payment_intents.retrieve(payment_ref).latest_charge
    assert sdk.v1.charges.retrieve(charge).amount_refunded == 0


def test_a_card_refund_sends_no_email(payments, sdk):
    # Given a card payment
    attempt = payments.start_payment(card_payment("pm_card_visa"), idempotency_key=key())

    # When it is refunded the way the refunds use case does for a card (no email)
    refund = payments.refund(attempt.payment_ref, idempotency_key=key())

    # Then the provider holds no email for it
    assert sdk.v1.refunds.retrieve(refund.refund_ref).instructions_email is None
