"""Card payments through the payment port, on the Stripe twin: success, declines, 3-D Secure,
manual capture and cancel, refunds, and replayed idempotency keys."""

from __future__ import annotations

import pytest

from common.domain.errors import InternalError, InvalidState, NotFound, PaymentDeclined
from common.domain.payments import CaptureMode, PaymentStatus, Redirect, RefundReason
from tests.integration.payments.conftest import RETURN_URL, act_on_page, card_payment, key


def test_a_card_payment_succeeds_at_once(payments):
    # When a buyer pays 12.34 EUR with a card that needs nothing more
    attempt = payments.start_payment(card_payment("pm_card_visa", 1234), idempotency_key=key())

    # Then it succeeded in full, and reads back the same
    assert attempt.status is PaymentStatus.SUCCEEDED
    assert (attempt.amount, attempt.amount_received, attempt.currency) == (1234, 1234, "eur")
    assert attempt.next_action is None and attempt.decline is None
    assert payments.get_payment(attempt.payment_ref) == attempt


@pytest.mark.parametrize("token,code", [
    ("pm_card_visa_chargeDeclined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
], ids=["generic", "insufficient-funds"])
def test_a_declined_card_is_payment_declined_with_its_code(payments, token, code):
    # When the issuer declines the card
    with pytest.raises(PaymentDeclined) as declined:
        payments.start_payment(card_payment(token), idempotency_key=key())

    # Then the decline says why, and the failed attempt is readable
    assert declined.value.decline.code == code
    assert declined.value.decline.retryable is False
    assert declined.value.status == 402 and declined.value.code == "payment_failed"
    failed = payments.get_payment(declined.value.payment_ref)
    assert failed.status is PaymentStatus.FAILED
    assert failed.decline is not None and failed.decline.code == code


def test_3d_secure_sends_the_buyer_to_authenticate_then_succeeds(payments):
    # Given a card whose issuer wants 3-D Secure
    attempt = payments.start_payment(card_payment("pm_card_threeDSecure2Required"),
                                     idempotency_key=key())
    assert attempt.status is PaymentStatus.REQUIRES_ACTION
    assert isinstance(attempt.next_action, Redirect)
    assert attempt.next_action.type == "authenticate"

    # When the buyer completes authentication on the page
    page = act_on_page(attempt.next_action.url, "authorize")

    # Then they are sent back to the return_url, and the payment succeeded
    assert page.status_code == 303
    assert page.headers["Location"].startswith(RETURN_URL + "?")
    assert "redirect_status=succeeded" in page.headers["Location"]
    assert payments.get_payment(attempt.payment_ref).status is PaymentStatus.SUCCEEDED


def test_failed_3d_secure_fails_the_payment(payments):
    # Given a payment waiting for 3-D Secure
    attempt = payments.start_payment(card_payment("pm_card_threeDSecure2Required"),
                                     idempotency_key=key())

    # When the buyer fails authentication
    page = act_on_page(attempt.next_action.url, "fail")

    # Then the payment failed for that reason
    assert "redirect_status=failed" in page.headers["Location"]
    failed = payments.get_payment(attempt.payment_ref)
    assert failed.status is PaymentStatus.FAILED
    assert failed.decline is not None
    assert failed.decline.code == "payment_intent_authentication_failure"


def test_an_authorization_is_captured_in_part(payments):
    # Given a card payment authorized for later capture (a fraud review hold)
    held = payments.start_payment(card_payment("pm_card_visa", 1000, capture=CaptureMode.MANUAL),
                                  idempotency_key=key())
    assert (held.status, held.amount_capturable, held.amount_received) == (
        PaymentStatus.AUTHORIZED, 1000, 0)

    # When 600 of it is captured
    captured = payments.capture(held.payment_ref, amount=600, idempotency_key=key())

    # Then 600 was received and nothing is left to capture
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        PaymentStatus.SUCCEEDED, 600, 0)


def test_a_canceled_authorization_cannot_be_captured(payments):
    # Given an authorization that is canceled
    held = payments.start_payment(card_payment("pm_card_visa", capture=CaptureMode.MANUAL),
                                  idempotency_key=key())
    canceled = payments.cancel(held.payment_ref, idempotency_key=key())
    assert canceled.status is PaymentStatus.CANCELED

    # When it is captured all the same, Then the provider refuses: a state, not a bug
    with pytest.raises(InvalidState):
        payments.capture(held.payment_ref, idempotency_key=key())


def test_refunds_add_up_to_what_was_paid_and_no_more(payments):
    # Given a succeeded payment of 1000
    paid = payments.start_payment(card_payment("pm_card_visa", 1000), idempotency_key=key())

    # When 300 is refunded, then the rest
    part = payments.refund(paid.payment_ref, amount=300,
                           reason=RefundReason.REQUESTED_BY_CUSTOMER, idempotency_key=key())
    rest = payments.refund(paid.payment_ref, idempotency_key=key())

    # Then the two refunds are 300 and 700, and a third is refused
    assert (part.amount, part.status, part.reason, part.payment_ref) == (
        300, "succeeded", RefundReason.REQUESTED_BY_CUSTOMER, paid.payment_ref)
    assert (rest.amount, rest.currency) == (700, "eur")
    with pytest.raises(InvalidState):
        payments.refund(paid.payment_ref, amount=1, idempotency_key=key())


def test_a_refund_above_what_is_left_is_refused(payments):
    # Given a payment of 1000 of which 600 was refunded
    paid = payments.start_payment(card_payment("pm_card_visa", 1000), idempotency_key=key())
    payments.refund(paid.payment_ref, amount=600, idempotency_key=key())

    # When 401 more is asked back, Then it is refused, and 400 still can be
    with pytest.raises(InvalidState):
        payments.refund(paid.payment_ref, amount=401, idempotency_key=key())
    assert payments.refund(paid.payment_ref, amount=400, idempotency_key=key()).amount == 400


def test_a_replayed_idempotency_key_gives_the_same_attempt_and_no_second_payment(payments,
                                                                                  sdk):
    # Given a payment started under a key derived from our payment id
    payment = card_payment("pm_card_visa", 1500)
    retry_key = f"payment:{payment.payment_id}:start"
    first = payments.start_payment(payment, idempotency_key=retry_key)

    # When the saga step is retried with the same key and request
    again = payments.start_payment(payment, idempotency_key=retry_key)

    # Then it is the same attempt, and the provider holds one payment for it
    assert again == first
    intents = sdk.v1.payment_intents.list(params={"limit": 100}).data
    ours = [i.id for i in intents if i.metadata.to_dict().get("payment_id") == payment.payment_id]
    assert ours == [first.payment_ref]


def test_a_replayed_decline_is_the_same_decline(payments):
    # Given a declined payment
    payment, retry_key = card_payment("pm_card_visa_chargeDeclined"), key()
    with pytest.raises(PaymentDeclined) as first:
        payments.start_payment(payment, idempotency_key=retry_key)

    # When the same request is replayed, Then the same attempt is declined again
    with pytest.raises(PaymentDeclined) as again:
        payments.start_payment(payment, idempotency_key=retry_key)
    assert again.value.payment_ref == first.value.payment_ref


def test_a_key_reused_for_another_request_is_our_bug(payments):
    # Given a key used for one payment
    reused = key()
    payments.start_payment(card_payment("pm_card_visa", 1000), idempotency_key=reused)

    # When another payment is sent with it, Then it is an internal error, not a charge
    with pytest.raises(InternalError):
        payments.start_payment(card_payment("pm_card_visa", 2000), idempotency_key=reused)


def test_an_unknown_payment_is_not_found(payments):
    with pytest.raises(NotFound):
        payments.get_payment("pi_doesnotexist")
