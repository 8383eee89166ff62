"""StripePayments: the payment provider port (common/ports/payments.py) on Stripe's SDK.

Payments are PaymentIntents confirmed on creation: cards (3-D Secure through a
`return_url`, so the next action is `redirect_to_url`; manual capture for holds), PayPal
(`payment_method_types=["paypal"]`) and EU bank transfers (`customer_balance` with
`eu_bank_transfer`). The order is the PaymentIntent's `transfer_group`; our ids are its
metadata. Connect (vendors' accounts and transfers) is in stripe_connect.py, webhook
verification in stripe_webhooks.py.
"""

from __future__ import annotations

from typing import Any

import stripe

from common.adapters.stripe_client import build_client, plain, provider_errors
from common.adapters.stripe_connect import StripeConnect
from common.adapters.stripe_mapping import attempt_of, card_setup_of, refund_of
from common.adapters.stripe_webhooks import StripeWebhooks
from common.domain.payments import (
    CaptureMode,
    CardSetup,
    NewPayment,
    PaymentAttempt,
    ProviderEvent,
    Refund,
    RefundReason,
)
from common.settings import Settings


class StripePayments(StripeConnect):
    def __init__(self, client: stripe.StripeClient, webhooks: StripeWebhooks | None = None
                 ) -> None:
        self._client = client
        self._webhooks = webhooks

    @classmethod
    def from_settings(cls, settings: Settings) -> StripePayments:
        """The SDK client from the secret key; webhooks only where the function has that secret."""
        webhooks = (StripeWebhooks(settings.stripe_webhook_secret)
                    if settings.stripe_webhook_secret else None)
        return cls(build_client(settings), webhooks)

    def verify_webhook(self, payload: bytes, signature_header: str) -> ProviderEvent:
        if self._webhooks is None:
            raise RuntimeError("STRIPE_WEBHOOK_SECRET is not set for this function")
        return self._webhooks.verify_webhook(payload, signature_header)

    def ensure_customer(self, account_id: str, *, idempotency_key: str) -> str:
        """Only our account id goes to Stripe (as metadata): no name, no email."""
        with provider_errors():
            customer = self._client.v1.customers.create(
                params={"metadata": {"account_id": account_id}},
                options={"idempotency_key": idempotency_key})
        return customer.id

    def start_payment(self, payment: NewPayment, *, idempotency_key: str) -> PaymentAttempt:
        params: dict[str, Any] = {
            "amount": payment.amount, "currency": payment.currency, "confirm": True,
            "transfer_group": payment.order_id,
            "metadata": {**payment.metadata, "order_id": payment.order_id,
                         "payment_id": payment.payment_id},
            **_method_params(payment)}
        if payment.customer_ref:
            params["customer"] = payment.customer_ref
        return self._create_intent(params, idempotency_key)

    def get_payment(self, payment_ref: str) -> PaymentAttempt:
        with provider_errors():
            intent = self._client.v1.payment_intents.retrieve(payment_ref)
        return attempt_of(plain(intent))

    def capture(self, payment_ref: str, *, amount: int | None = None,
                idempotency_key: str) -> PaymentAttempt:
        params = {"amount_to_capture": amount} if amount is not None else {}
        with provider_errors():
            intent = self._client.v1.payment_intents.capture(
                payment_ref, params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return attempt_of(plain(intent))

    def cancel(self, payment_ref: str, *, idempotency_key: str) -> PaymentAttempt:
        with provider_errors():
            intent = self._client.v1.payment_intents.cancel(
                payment_ref, options={"idempotency_key": idempotency_key})
        return attempt_of(plain(intent))

    def refund(self, payment_ref: str, *, amount: int | None = None,
               reason: RefundReason | None = None, refund_id: str | None = None,
               instructions_email: str | None = None, idempotency_key: str) -> Refund:
        params: dict[str, Any] = {"payment_intent": payment_ref}
        if amount is not None:
            params["amount"] = amount
        if reason is not None:
            params["reason"] = reason.value
        if instructions_email is not None:
            # docs.stripe.com/payments/customer-balance/refunding: Stripe asks the payer of a
            # bank transfer for their account at this address (our Customers carry no email).
            params["instructions_email"] = instructions_email
        if refund_id is not None:
            params["metadata"] = {"refund_id": refund_id}
        with provider_errors():
            refund = self._client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return refund_of(plain(refund))

    def save_card(self, customer_ref: str, payment_method_token: str, *,
                  return_url: str | None = None, idempotency_key: str) -> CardSetup:
        params: dict[str, Any] = {
            "customer": customer_ref, "payment_method": payment_method_token,
            "payment_method_types": ["card"], "usage": "off_session", "confirm": True}
        if return_url:
            params["return_url"] = return_url
        with provider_errors():
            setup = self._client.v1.setup_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return card_setup_of(plain(setup))

    def charge_saved_card(self, customer_ref: str, payment_method_ref: str, amount: int,
                          currency: str, *, purpose: str, idempotency_key: str
                          ) -> PaymentAttempt:
        return self._create_intent({
            "amount": amount, "currency": currency, "customer": customer_ref,
            "payment_method": payment_method_ref, "payment_method_types": ["card"],
            "off_session": True, "confirm": True, "metadata": {"purpose": purpose}},
            idempotency_key)

    def _create_intent(self, params: dict[str, Any], idempotency_key: str) -> PaymentAttempt:
        with provider_errors():
            intent = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return attempt_of(plain(intent))


def _method_params(payment: NewPayment) -> dict[str, Any]:
    """What each method adds to the PaymentIntent (docs.stripe.com/payments/<method>)."""
    if payment.method == "card":
        return {"payment_method_types": ["card"],
                "payment_method": payment.payment_method_token,
                "return_url": payment.return_url,
                "capture_method": "manual" if payment.capture is CaptureMode.MANUAL
                else "automatic"}
    if payment.method == "paypal":
        return {"payment_method_types": ["paypal"],
                "payment_method_data": {"type": "paypal"}, "return_url": payment.return_url}
    return {"payment_method_types": ["customer_balance"],
            "payment_method_data": {"type": "customer_balance"},
            "payment_method_options": {"customer_balance": {
                "funding_type": "bank_transfer",
                "bank_transfer": {"type": "eu_bank_transfer",
                                  "eu_bank_transfer": {"country": payment.bank_country}}}}}
