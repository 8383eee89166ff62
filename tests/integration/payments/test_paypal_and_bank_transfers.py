"""PayPal and EU bank transfers through the payment port, on the Stripe twin."""

from __future__ import annotations

from common.domain.payments import (
    BankTransferInstructions,
    NewPayment,
    PaymentStatus,
    Redirect,
)
from tests.integration.payments.conftest import RETURN_URL, act_on_page, key, new_id


def _paypal(amount: int = 2500) -> NewPayment:
    return NewPayment(order_id=new_id(), payment_id=new_id(), amount=amount, currency="eur",
                      method="paypal", return_url=RETURN_URL)


def test_a_paypal_payment_is_approved_at_paypal_then_succeeds(payments):
    # Given a PayPal payment: the buyer is sent to approve it
    attempt = payments.start_payment(_paypal(), idempotency_key=key())
    assert attempt.status is PaymentStatus.REQUIRES_ACTION
    assert isinstance(attempt.next_action, Redirect)
    assert attempt.next_action.type == "redirect"

    # When the buyer approves it on the (test) PayPal page
    page = act_on_page(attempt.next_action.url, "authorize")

    # Then they come back to the return_url and the payment succeeded in full
    assert page.status_code == 303 and page.headers["Location"].startswith(RETURN_URL)
    paid = payments.get_payment(attempt.payment_ref)
    assert (paid.status, paid.amount_received) == (PaymentStatus.SUCCEEDED, 2500)


def test_a_paypal_payment_the_buyer_fails_is_failed(payments):
    attempt = payments.start_payment(_paypal(), idempotency_key=key())

    act_on_page(attempt.next_action.url, "fail")

    failed = payments.get_payment(attempt.payment_ref)
    assert failed.status is PaymentStatus.FAILED and failed.decline is not None


def test_a_bank_transfer_waits_for_the_money_partial_then_full(payments, sdk):
    # Given a buyer's provider customer and a bank transfer payment of 100.00 EUR
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    payment = NewPayment(order_id=new_id(), payment_id=new_id(), amount=10000, currency="eur",
                         method="bank_transfer", customer_ref=customer, bank_country="DE")
    attempt = payments.start_payment(payment, idempotency_key=key())

    # Then the buyer gets the instructions: an IBAN, a reference, all of it remaining
    shown = attempt.next_action
    assert attempt.status is PaymentStatus.REQUIRES_ACTION
    assert isinstance(shown, BankTransferInstructions)
    assert shown.iban.startswith("DE") and shown.bic and shown.reference
    assert (shown.amount_remaining, shown.currency) == (10000, "eur")

    # When 40.00 arrives (an underpayment), then the remaining 60.00
    sdk.v1.test_helpers.customers.fund_cash_balance(
        customer, params={"amount": 4000, "currency": "eur", "reference": shown.reference})
    partly = payments.get_payment(attempt.payment_ref)
    sdk.v1.test_helpers.customers.fund_cash_balance(
        customer, params={"amount": 6000, "currency": "eur", "reference": shown.reference})
    paid = payments.get_payment(attempt.payment_ref)

    # Then it waited with 60.00 remaining, and succeeded once fully funded
    assert partly.status is PaymentStatus.REQUIRES_ACTION
    assert isinstance(partly.next_action, BankTransferInstructions)
    assert partly.next_action.amount_remaining == 6000
    assert (paid.status, paid.amount_received, paid.next_action) == (
        PaymentStatus.SUCCEEDED, 10000, None)
