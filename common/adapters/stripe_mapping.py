"""Stripe's objects (as plain dicts, the SDK's `to_dict()`) read into domain values.

Pure functions, no SDK import: tests/unit/test_payment_mapping.py holds them to Stripe's
documented shapes. Nothing Stripe-typed leaves the adapter: this is where it stops.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from common.domain.payments import (
    OUR_REFS,
    BankTransferInstructions,
    CardSetup,
    Decline,
    NextAction,
    PaymentAttempt,
    PaymentStatus,
    ProviderEvent,
    ProviderEventType,
    Redirect,
    Refund,
    RefundReason,
    Transfer,
    TransferReversal,
    VendorAccount,
    VendorAccountStatus,
)

PROVIDER = "stripe"
Obj = Mapping[str, Any]

STATUSES = {
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.PROCESSING,  # never left so: we confirm on create
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.SUCCEEDED,
    "requires_payment_method": PaymentStatus.FAILED,  # confirmed, then declined/not authenticated
    "canceled": PaymentStatus.CANCELED,
}

E = ProviderEventType
EVENT_TYPES = {
    "payment_intent.requires_action": E.PAYMENT_REQUIRES_ACTION,
    "payment_intent.processing": E.PAYMENT_PROCESSING,
    "payment_intent.partially_funded": E.PAYMENT_PARTIALLY_FUNDED,
    "payment_intent.amount_capturable_updated": E.PAYMENT_AUTHORIZED,
    "payment_intent.succeeded": E.PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": E.PAYMENT_FAILED,
    "payment_intent.canceled": E.PAYMENT_CANCELED,
    "charge.refunded": E.PAYMENT_REFUNDED,
    "refund.failed": E.REFUND_FAILED,
    "charge.dispute.created": E.DISPUTE_OPENED,
    "transfer.created": E.TRANSFER_CREATED,
    "transfer.reversed": E.TRANSFER_REVERSED,
    "account.updated": E.VENDOR_ACCOUNT_UPDATED,
    "setup_intent.succeeded": E.CARD_SETUP_SUCCEEDED,
    "setup_intent.setup_failed": E.CARD_SETUP_FAILED,
}


def decline_of(error: Obj) -> Decline:
    """A `last_payment_error` or an API error body: the decline code wins over the error code."""
    code = error.get("decline_code") or error.get("code") or "unknown"
    return Decline.of(str(code), str(error.get("message") or "The payment was declined."))


def attempt_of(intent: Obj) -> PaymentAttempt:
    """A PaymentIntent as a payment attempt."""
    status = STATUSES[intent["status"]]
    error = intent.get("last_payment_error")
    return PaymentAttempt(
        payment_ref=intent["id"], status=status, amount=intent["amount"],
        currency=intent["currency"], amount_received=intent.get("amount_received") or 0,
        amount_capturable=intent.get("amount_capturable") or 0,
        next_action=next_action_of(intent) if status is PaymentStatus.REQUIRES_ACTION else None,
        decline=decline_of(error) if error and status is PaymentStatus.FAILED else None)


def next_action_of(intent: Obj) -> NextAction | None:
    """redirect_to_url (3-D Secure, PayPal approval) or the bank transfer instructions."""
    action = intent.get("next_action") or {}
    if action.get("type") == "redirect_to_url":
        paypal = "paypal" in (intent.get("payment_method_types") or [])
        return Redirect("redirect" if paypal else "authenticate",
                        action["redirect_to_url"]["url"])
    if action.get("type") == "display_bank_transfer_instructions":
        return instructions_of(action["display_bank_transfer_instructions"])
    return None  # use_stripe_sdk: only without a return_url, which we always send


def instructions_of(shown: Obj) -> BankTransferInstructions:
    """The IBAN address of display_bank_transfer_instructions (eu_bank_transfer)."""
    address = next(a for a in shown.get("financial_addresses") or [] if a.get("type") == "iban")
    iban = address["iban"]
    return BankTransferInstructions(
        iban=iban["iban"], bic=iban["bic"], account_holder=iban.get("account_holder_name") or "",
        country=iban.get("country") or "", reference=shown["reference"],
        amount_remaining=shown["amount_remaining"], currency=shown["currency"],
        hosted_instructions_url=shown.get("hosted_instructions_url"))


def refund_of(refund: Obj) -> Refund:
    reason = refund.get("reason")
    return Refund(refund_ref=refund["id"], payment_ref=refund.get("payment_intent") or "",
                  amount=refund["amount"], currency=refund["currency"], status=refund["status"],
                  reason=RefundReason(reason) if reason in RefundReason._value2member_map_
                  else None)


def card_setup_of(setup: Obj) -> CardSetup:
    """A SetupIntent: succeeded with its payment method, or waiting for 3-D Secure."""
    action = setup.get("next_action") or {}
    redirect = (Redirect("authenticate", action["redirect_to_url"]["url"])
                if action.get("type") == "redirect_to_url" else None)
    method = setup.get("payment_method")
    return CardSetup(setup_ref=setup["id"], succeeded=setup["status"] == "succeeded",
                     payment_method_ref=method.get("id") if isinstance(method, Mapping)
                     else method, next_action=redirect)


def vendor_account_of(account: Obj) -> VendorAccount:
    """Active once it can receive transfers and be paid out; until details are submitted it is
    onboarding; submitted but not (or no longer) enabled, restricted."""
    transfers = (account.get("capabilities") or {}).get("transfers")
    if transfers == "active" and account.get("payouts_enabled"):
        status = VendorAccountStatus.ACTIVE
    elif not account.get("details_submitted"):
        status = VendorAccountStatus.ONBOARDING
    else:
        status = VendorAccountStatus.RESTRICTED
    return VendorAccount(account["id"], status, bool(account.get("payouts_enabled")))


def transfer_of(transfer: Obj) -> Transfer:
    return Transfer(transfer_ref=transfer["id"], account_ref=transfer["destination"],
                    amount=transfer["amount"], currency=transfer["currency"],
                    transfer_group=transfer.get("transfer_group"),
                    amount_reversed=transfer.get("amount_reversed") or 0)


def reversal_of(reversal: Obj) -> TransferReversal:
    return TransferReversal(reversal_ref=reversal["id"], transfer_ref=reversal["transfer"],
                            amount=reversal["amount"], currency=reversal["currency"])


def provider_event_of(event: Obj) -> ProviderEvent:
    """A webhook's event: our type, the object it is about, our ids from its metadata."""
    obj: Obj = (event.get("data") or {}).get("object") or {}
    given = obj.get("metadata")
    metadata: Obj = given if isinstance(given, Mapping) else {}
    refs = {key: str(metadata[key]) for key in OUR_REFS if metadata.get(key)}
    kind = obj.get("object")
    instructions = ((obj.get("next_action") or {}).get("display_bank_transfer_instructions")
                    or {})
    return ProviderEvent(
        provider=PROVIDER, event_id=str(event["id"]),
        type=EVENT_TYPES.get(str(event.get("type")), E.UNKNOWN),
        provider_type=str(event.get("type")), object_ref=_text(obj.get("id")),
        payment_ref=_text(obj.get("id")) if kind == "payment_intent"
        else _ref(obj.get("payment_intent")),
        order_id=refs.get("order_id") or _text(obj.get("transfer_group")), refs=refs,
        occurred_at=datetime.fromtimestamp(int(event.get("created") or 0), timezone.utc),
        payload=dict(event), amount=_int(obj.get("amount")),
        amount_received=_int(obj.get("amount_received")),
        amount_refunded=_int(obj.get("amount_refunded")),
        amount_reversed=_int(obj.get("amount_reversed")),
        amount_remaining=_int(instructions.get("amount_remaining")),
        currency=_text(obj.get("currency")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ref(value: Any) -> str | None:
    """An id, whether the field holds it or an expanded object."""
    return _text(value.get("id")) if isinstance(value, Mapping) else _text(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
