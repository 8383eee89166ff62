"""The same scenarios for card, PayPal and EU bank transfer, through the payment port on the
Stripe twin (issue 8's "done when"). The buyer's part elsewhere (a 3-D Secure or PayPal test
page, a bank transfer) is done on the twin's test pages or with its fund_cash_balance helper."""

from __future__ import annotations

import pytest

from common.domain.errors import InvalidState, PaymentDeclined
from common.domain.payments import (
    BankTransferInstructions,
    CaptureMode,
    NewPayment,
    PaymentAttempt,
    PaymentStatus,
    Redirect,
    RefundReason,
)
from tests.integration.payments.conftest import RETURN_URL, act_on_page, key, new_id

METHODS = ["card", "paypal", "bank_transfer"]
THREE_D_SECURE = "pm_card_threeDSecure2Required"


def _payment(payments, method: str, amount: int = 1000, token: str = "pm_card_visa",  # noqa: ANN001
             capture: CaptureMode = CaptureMode.AUTOMATIC) -> NewPayment:
    """A payment of a fresh order; a bank transfer is from a fresh buyer (an empty balance)."""
    given = {"order_id": new_id(), "payment_id": new_id(), "amount": amount, "currency": "eur",
             "method": method}
    if method == "card":
        return NewPayment(**given, payment_method_token=token, return_url=RETURN_URL,
                          capture=capture)
    if method == "paypal":
        return NewPayment(**given, return_url=RETURN_URL)
    customer = payments.ensure_customer(new_id(), idempotency_key=key())
    return NewPayment(**given, customer_ref=customer, bank_country="DE")


def _start(payments, method: str, amount: int = 1000, **changes  # noqa: ANN001, ANN003
           ) -> tuple[NewPayment, PaymentAttempt]:
    payment = _payment(payments, method, amount, **changes)
    return payment, payments.start_payment(payment, idempotency_key=key())


def _buyer_completes(sdk, payment: NewPayment, attempt: PaymentAttempt,  # noqa: ANN001
                     amount: int | None = None, action: str = "authorize") -> str:
    """What the buyer does elsewhere: act on the 3-D Secure or PayPal page (the redirect_status
    they come back with), or transfer `amount` (default: all that remains)."""
    shown = attempt.next_action
    if isinstance(shown, Redirect):
        page = act_on_page(shown.url, action)
        assert page.status_code == 303 and page.headers["Location"].startswith(RETURN_URL + "?")
        return page.headers["Location"].split("redirect_status=")[1]
    assert isinstance(shown, BankTransferInstructions)
    sdk.v1.test_helpers.customers.fund_cash_balance(payment.customer_ref, params={
        "amount": amount or shown.amount_remaining, "currency": "eur",
        "reference": shown.reference})
    return "funded"


def _paid(payments, sdk, method: str, amount: int = 1000) -> PaymentAttempt:  # noqa: ANN001
    """A succeeded payment: a card at once, PayPal once approved, a bank transfer once funded."""
    payment, attempt = _start(payments, method, amount)
    if attempt.status is PaymentStatus.REQUIRES_ACTION:
        _buyer_completes(sdk, payment, attempt)
    paid = payments.get_payment(attempt.payment_ref)
    assert paid.status is PaymentStatus.SUCCEEDED
    return paid


@pytest.mark.parametrize("method", METHODS)
def test_a_payment_succeeds_with_all_of_it_received(payments, sdk, method):
    # When a buyer pays 12.34 EUR (approving at PayPal, or transferring the money)
    paid = _paid(payments, sdk, method, 1234)

    # Then it succeeded in full, with nothing more to do
    assert (paid.status, paid.amount, paid.amount_received, paid.currency) == (
        PaymentStatus.SUCCEEDED, 1234, 1234, "eur")
    assert (paid.next_action, paid.decline, paid.amount_capturable) == (None, None, 0)


def _card_declined(payments, sdk) -> PaymentAttempt:  # noqa: ANN001
    with pytest.raises(PaymentDeclined) as declined:
        payments.start_payment(_payment(payments, "card", token="pm_card_visa_chargeDeclined"),
                               idempotency_key=key())
    assert (declined.value.decline.code, declined.value.status) == ("generic_decline", 402)
    return payments.get_payment(declined.value.payment_ref)


def _paypal_failed(payments, sdk) -> PaymentAttempt:  # noqa: ANN001
    payment, attempt = _start(payments, "paypal")
    assert _buyer_completes(sdk, payment, attempt, action="fail") == "failed"
    return payments.get_payment(attempt.payment_ref)


def _bank_transfer_never_funded(payments, sdk) -> PaymentAttempt:  # noqa: ANN001
    _, attempt = _start(payments, "bank_transfer")
    return payments.cancel(attempt.payment_ref, idempotency_key=key())


@pytest.mark.parametrize("fail,status,code", [
    pytest.param(_card_declined, PaymentStatus.FAILED, "generic_decline", id="card"),
    pytest.param(_paypal_failed, PaymentStatus.FAILED, "payment_intent_payment_attempt_failed",
                 id="paypal"),
    # A bank transfer is pushed by the buyer: nothing can decline it. Its failure is that the
    # money never comes, and the order gives up on it (cancels).
    pytest.param(_bank_transfer_never_funded, PaymentStatus.CANCELED, None,
                 id="bank_transfer-never_funded_then_canceled"),
])
def test_a_payment_that_fails_says_why_and_received_nothing(payments, sdk, fail, status, code):
    # When the card is declined, the buyer fails the PayPal approval, or never transfers
    failed = fail(payments, sdk)

    # Then the payment ended without money, with the decline's code where there is one
    assert (failed.status, failed.amount_received, failed.next_action) == (status, 0, None)
    assert (failed.decline.code if failed.decline else None) == code


@pytest.mark.parametrize("method,action_type", [
    pytest.param("card", "authenticate", id="card-3d_secure"),
    # PayPal has no 3-D Secure (a card scheme's protocol): the payer approves at PayPal.
    pytest.param("paypal", "redirect", id="paypal-approval_instead_of_3d_secure"),
    # Nor has a bank transfer: the buyer's own bank authenticates them; they send the money.
    pytest.param("bank_transfer", "bank_transfer_instructions",
                 id="bank_transfer-funding_instead_of_3d_secure"),
])
def test_a_payment_waits_for_the_buyer_then_succeeds(payments, sdk, method, action_type):
    # Given a payment the buyer must authenticate, approve or transfer
    payment, attempt = _start(payments, method, 2500, token=THREE_D_SECURE)
    assert (attempt.status, attempt.amount_received) == (PaymentStatus.REQUIRES_ACTION, 0)
    assert attempt.next_action is not None and attempt.next_action.type == action_type
    assert payments.get_payment(attempt.payment_ref) == attempt

    # When the buyer does it
    outcome = _buyer_completes(sdk, payment, attempt)

    # Then (back at the return_url, for a redirect) the payment succeeded in full
    assert outcome in ("succeeded", "funded")
    paid = payments.get_payment(attempt.payment_ref)
    assert (paid.status, paid.amount_received, paid.next_action) == (
        PaymentStatus.SUCCEEDED, 2500, None)


def test_a_bank_transfer_paid_in_two_parts_waits_with_what_remains(payments, sdk):
    # Given a bank transfer of 100.00 EUR
    payment, attempt = _start(payments, "bank_transfer", 10000)

    # When 25.00 arrives, then the remaining 75.00
    _buyer_completes(sdk, payment, attempt, amount=2500)
    partly = payments.get_payment(attempt.payment_ref)
    _buyer_completes(sdk, payment, partly)
    paid = payments.get_payment(attempt.payment_ref)

    # Then it waited for 75.00 under the same reference, and succeeded once fully funded
    assert partly.status is PaymentStatus.REQUIRES_ACTION
    assert isinstance(partly.next_action, BankTransferInstructions)
    assert (partly.next_action.amount_remaining, partly.next_action.reference) == (
        7500, attempt.next_action.reference)
    assert (paid.status, paid.amount_received, paid.next_action) == (
        PaymentStatus.SUCCEEDED, 10000, None)


# late: what the buyer finishing after the cancel comes back with (None: nothing to finish,
# an authorization; the capture is refused instead).
@pytest.mark.parametrize("method,changes,funded,late", [
    pytest.param("card", {"capture": CaptureMode.MANUAL}, 0, None, id="card-authorization"),
    pytest.param("card", {"token": THREE_D_SECURE}, 0, "failed", id="card-awaiting_3d_secure"),
    pytest.param("paypal", {}, 0, "failed", id="paypal-awaiting_approval"),
    pytest.param("bank_transfer", {}, 0, "funded", id="bank_transfer-awaiting_funds"),
    pytest.param("bank_transfer", {}, 400, "funded", id="bank_transfer-partly_funded"),
])
def test_a_payment_canceled_before_completion_takes_nothing(payments, sdk, method, changes,
                                                             funded, late):
    # Given a payment held (authorized) or waiting for the buyer, perhaps partly funded
    payment, attempt = _start(payments, method, 1000, **changes)
    if funded:
        _buyer_completes(sdk, payment, attempt, amount=funded)
    waiting = payments.get_payment(attempt.payment_ref)
    assert waiting.status in (PaymentStatus.AUTHORIZED, PaymentStatus.REQUIRES_ACTION)

    # When it is canceled
    canceled = payments.cancel(attempt.payment_ref, idempotency_key=key())

    # Then it is canceled with nothing received, and the buyer finishing late changes nothing
    assert (canceled.status, canceled.amount_received, canceled.amount_capturable,
            canceled.next_action) == (PaymentStatus.CANCELED, 0, 0, None)
    if late is not None:
        assert _buyer_completes(sdk, payment, waiting) == late
    else:
        with pytest.raises(InvalidState):
            payments.capture(attempt.payment_ref, idempotency_key=key())
    assert payments.get_payment(attempt.payment_ref) == canceled


def _payer(method: str) -> str | None:
    """Where the provider asks a bank transfer's payer for the account to refund to."""
    return "payer@example.test" if method == "bank_transfer" else None


@pytest.mark.parametrize("method", METHODS)
def test_refunds_add_up_to_what_was_paid_and_no_more(payments, sdk, method):
    # Given a succeeded payment of 1000
    paid = _paid(payments, sdk, method, 1000)

    # When 300 is refunded, then the rest
    part = payments.refund(paid.payment_ref, amount=300,
                           reason=RefundReason.REQUESTED_BY_CUSTOMER,
                           instructions_email=_payer(method), idempotency_key=key())
    rest = payments.refund(paid.payment_ref, instructions_email=_payer(method),
                           idempotency_key=key())

    # Then the refunds are 300 and 700 of this payment, and a third is refused
    assert (part.amount, part.currency, part.status, part.reason, part.payment_ref) == (
        300, "eur", "succeeded", RefundReason.REQUESTED_BY_CUSTOMER, paid.payment_ref)
    assert (rest.amount, rest.status, rest.payment_ref) == (700, "succeeded", paid.payment_ref)
    with pytest.raises(InvalidState):
        payments.refund(paid.payment_ref, amount=1, instructions_email=_payer(method),
                        idempotency_key=key())


@pytest.mark.parametrize("method", METHODS)
def test_a_refund_above_what_is_left_is_refused(payments, sdk, method):
    # Given a payment of 1000 of which 600 was refunded
    paid = _paid(payments, sdk, method, 1000)
    payer = _payer(method)
    payments.refund(paid.payment_ref, amount=600, instructions_email=payer,
                    idempotency_key=key())

    # When 401 more is asked back, Then it is refused, and 400 still can be
    with pytest.raises(InvalidState):
        payments.refund(paid.payment_ref, amount=401, instructions_email=payer,
                        idempotency_key=key())
    assert payments.refund(paid.payment_ref, amount=400, instructions_email=payer,
                           idempotency_key=key()).amount == 400


@pytest.mark.parametrize("method", METHODS)
def test_a_replayed_start_is_the_same_attempt_and_one_payment_at_the_provider(payments, sdk,
                                                                             method):
    # Given a payment started under a key derived from our payment id
    payment = _payment(payments, method, 1500)
    retry_key = f"payment:{payment.payment_id}:start"
    first = payments.start_payment(payment, idempotency_key=retry_key)

    # When the saga step is retried with the same key and request
    again = payments.start_payment(payment, idempotency_key=retry_key)

    # Then it is the same attempt, and the provider holds one PaymentIntent for it
    assert again == first
    intents = sdk.v1.payment_intents.list(params={"limit": 100}).data
    ours = [i.id for i in intents if i.metadata.to_dict().get("payment_id") == payment.payment_id]
    assert ours == [first.payment_ref]
