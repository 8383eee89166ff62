"""Stripe's objects read into domain values (common/adapters/stripe_mapping.py), and the
rules of a payment the provider can take (common/domain/payments.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from common.adapters.stripe_mapping import (
    attempt_of,
    provider_event_of,
    vendor_account_of,
)
from common.domain.payments import (
    BankTransferInstructions,
    CaptureMode,
    Decline,
    NewPayment,
    PaymentStatus,
    ProviderEventType,
    Redirect,
    VendorAccountStatus,
)

E = ProviderEventType


def _intent(status: str, **fields) -> dict:  # noqa: ANN003
    return {"id": "pi_1", "object": "payment_intent", "status": status, "amount": 1000,
            "currency": "eur", "amount_received": 0, "amount_capturable": 0,
            "payment_method_types": ["card"], "next_action": None, "last_payment_error": None,
            **fields}


@pytest.mark.parametrize("stripe_type,ours", [
    ("payment_intent.requires_action", E.PAYMENT_REQUIRES_ACTION),
    ("payment_intent.processing", E.PAYMENT_PROCESSING),
    ("payment_intent.partially_funded", E.PAYMENT_PARTIALLY_FUNDED),
    ("payment_intent.amount_capturable_updated", E.PAYMENT_AUTHORIZED),
    ("payment_intent.succeeded", E.PAYMENT_SUCCEEDED),
    ("payment_intent.payment_failed", E.PAYMENT_FAILED),
    ("payment_intent.canceled", E.PAYMENT_CANCELED),
    ("charge.refunded", E.PAYMENT_REFUNDED),
    ("refund.failed", E.REFUND_FAILED),
    ("charge.dispute.created", E.DISPUTE_OPENED),
    ("transfer.created", E.TRANSFER_CREATED),
    ("transfer.reversed", E.TRANSFER_REVERSED),
    ("account.updated", E.VENDOR_ACCOUNT_UPDATED),
    ("setup_intent.succeeded", E.CARD_SETUP_SUCCEEDED),
    ("setup_intent.setup_failed", E.CARD_SETUP_FAILED),
    ("payment_intent.created", E.UNKNOWN),
    ("customer.cash_balance_transaction.created", E.UNKNOWN),
])
def test_stripe_event_types_in_our_vocabulary(stripe_type, ours):
    event = provider_event_of({"id": "evt_1", "object": "event", "type": stripe_type,
                               "created": 0, "data": {"object": {"id": "x_1"}}})
    assert (event.type, event.provider_type) == (ours, stripe_type)


def test_a_payment_event_carries_our_ids_and_its_amounts():
    # Given payment_intent.succeeded for an order's payment
    intent = _intent("succeeded", amount_received=1000, transfer_group="order-1",
                     metadata={"order_id": "order-1", "payment_id": "pay-1", "other": "x"})
    raw = {"id": "evt_9", "object": "event", "type": "payment_intent.succeeded",
           "created": 1767225600, "data": {"object": intent}}

    event = provider_event_of(raw)

    assert (event.provider, event.event_id, event.object_ref, event.payment_ref) == (
        "stripe", "evt_9", "pi_1", "pi_1")
    assert (event.order_id, event.refs) == ("order-1", {"order_id": "order-1",
                                                        "payment_id": "pay-1"})
    assert (event.amount, event.amount_received, event.currency) == (1000, 1000, "eur")
    assert event.occurred_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert event.payload == raw


def test_a_refund_event_points_at_its_payment_and_a_transfer_at_its_order_by_group():
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_7", "amount": 1000,
              "amount_refunded": 300, "currency": "eur", "metadata": {}}
    transfer = {"id": "tr_1", "object": "transfer", "amount": 900, "amount_reversed": 0,
                "currency": "eur", "transfer_group": "order-2", "metadata": {}}

    refunded = provider_event_of({"id": "evt_1", "object": "event", "type": "charge.refunded",
                                  "created": 1, "data": {"object": charge}})
    created = provider_event_of({"id": "evt_2", "object": "event", "type": "transfer.created",
                                 "created": 1, "data": {"object": transfer}})

    assert (refunded.object_ref, refunded.payment_ref, refunded.amount_refunded) == (
        "ch_1", "pi_7", 300)
    assert (created.order_id, created.payment_ref, created.amount_reversed) == (
        "order-2", None, 0)


@pytest.mark.parametrize("status,ours", [
    ("requires_action", PaymentStatus.REQUIRES_ACTION),
    ("processing", PaymentStatus.PROCESSING),
    ("requires_capture", PaymentStatus.AUTHORIZED),
    ("succeeded", PaymentStatus.SUCCEEDED),
    ("requires_payment_method", PaymentStatus.FAILED),
    ("canceled", PaymentStatus.CANCELED),
])
def test_payment_intent_statuses(status, ours):
    assert attempt_of(_intent(status)).status is ours


def test_a_redirect_is_authenticate_for_a_card_and_redirect_for_paypal():
    action = {"type": "redirect_to_url", "redirect_to_url": {"url": "https://r/x",
                                                             "return_url": "https://b"}}
    card = attempt_of(_intent("requires_action", next_action=action))
    paypal = attempt_of(_intent("requires_action", next_action=action,
                                payment_method_types=["paypal"]))
    assert card.next_action == Redirect("authenticate", "https://r/x")
    assert paypal.next_action == Redirect("redirect", "https://r/x")


def test_bank_transfer_instructions_are_read_from_the_iban_address():
    shown = {"type": "eu_bank_transfer", "amount_remaining": 600, "currency": "eur",
             "reference": "REF123", "hosted_instructions_url": "https://pay/x",
             "financial_addresses": [{"type": "iban", "iban": {
                 "iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "country": "DE",
                 "account_holder_name": "Bazaar"}}]}
    attempt = attempt_of(_intent("requires_action", next_action={
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": shown}))
    assert attempt.next_action == BankTransferInstructions(
        iban="DE89370400440532013000", bic="COBADEFFXXX", account_holder="Bazaar",
        country="DE", reference="REF123", amount_remaining=600, currency="eur",
        hosted_instructions_url="https://pay/x")


def test_a_failed_payment_carries_its_decline_and_the_decline_code_wins():
    error = {"type": "card_error", "code": "card_declined", "decline_code": "try_again_later",
             "message": "Your card was declined."}
    attempt = attempt_of(_intent("requires_payment_method", last_payment_error=error))
    assert attempt.decline == Decline("try_again_later", "Your card was declined.", True)
    assert not attempt.decline.needs_authentication
    assert Decline.of("authentication_required", "m").needs_authentication


@pytest.mark.parametrize("account,status", [
    ({"details_submitted": False, "payouts_enabled": False, "capabilities": {}},
     VendorAccountStatus.ONBOARDING),
    ({"details_submitted": True, "payouts_enabled": True,
      "capabilities": {"transfers": "active"}}, VendorAccountStatus.ACTIVE),
    ({"details_submitted": True, "payouts_enabled": False,
      "capabilities": {"transfers": "inactive"}}, VendorAccountStatus.RESTRICTED),
], ids=["onboarding", "active", "restricted"])
def test_vendor_account_status(account, status):
    assert vendor_account_of({"id": "acct_1", **account}).status is status


@pytest.mark.parametrize("changes,problem", [
    ({"payment_method_token": None}, "payment_method_token"),
    ({"return_url": None}, "return_url"),
    ({"amount": 0}, "amount"),
    ({"currency": "EUR"}, "currency"),
    ({"method": "paypal", "capture": CaptureMode.MANUAL}, "only card"),
    ({"method": "bank_transfer", "customer_ref": "cus_1", "bank_country": "DE",
      "currency": "usd"}, "eur"),
    ({"method": "bank_transfer"}, "customer_ref"),
], ids=["card-token", "return-url", "amount", "currency", "manual-paypal", "bank-eur",
        "bank-customer"])
def test_a_payment_the_provider_cannot_take_is_refused_before_calling_it(changes, problem):
    fields = {"order_id": "o", "payment_id": "p", "amount": 100, "currency": "eur",
              "method": "card", "payment_method_token": "pm_card_visa",
              "return_url": "https://b", **changes}
    with pytest.raises(ValueError, match=problem):
        NewPayment(**fields)
