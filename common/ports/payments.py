"""The payment provider: payments, refunds, saved cards, vendors' connected accounts and
transfers, and its signed webhooks (common/adapters/stripe_payments.py).

Every call that changes something at the provider takes an `idempotency_key` that the
caller derives from our own ids (e.g. f"payment:{payment_id}:start"), so a retried saga step
replays the provider's first answer instead of charging twice. A key is good for 24 hours
at Stripe; the same key with other parameters is a bug (InternalError).

Raises: PaymentDeclined (402 payment_failed) when the provider refuses a payment;
ProviderUnavailable (503) when it cannot be reached, fails or throttles; InvalidState
when the object is not in a state that allows the call (capture a canceled payment,
refund more than was captured); NotFound for an unknown ref.
"""

from __future__ import annotations

from typing import Protocol

from common.domain.payments import (
    CardSetup,
    NewPayment,
    OnboardingLink,
    PaymentAttempt,
    ProviderEvent,
    Refund,
    RefundReason,
    Transfer,
    TransferReversal,
    VendorAccount,
)


class PaymentWebhooks(Protocol):
    def verify_webhook(self, payload: bytes, signature_header: str) -> ProviderEvent:
        """The event the provider signed; InvalidWebhookSignature if it did not, or long ago."""
        ...


class PaymentProvider(PaymentWebhooks, Protocol):
    def ensure_customer(self, account_id: str, *, idempotency_key: str) -> str:
        """A provider customer for our account (its ref); the caller keeps it with the account."""
        ...

    def start_payment(self, payment: NewPayment, *, idempotency_key: str) -> PaymentAttempt:
        """Create and confirm the payment; its transfer group is the order.

        A card that needs 3-D Secure, PayPal and a bank transfer come back REQUIRES_ACTION
        with the next action for the buyer; a declined card raises PaymentDeclined.
        """
        ...

    def get_payment(self, payment_ref: str) -> PaymentAttempt: ...

    def capture(self, payment_ref: str, *, amount: int | None = None,
                idempotency_key: str) -> PaymentAttempt:
        """Capture an AUTHORIZED payment, all of it or `amount` (the rest is released)."""
        ...

    def cancel(self, payment_ref: str, *, idempotency_key: str) -> PaymentAttempt:
        """Void a payment not yet succeeded (an authorization, one awaiting the buyer)."""
        ...

    def refund(self, payment_ref: str, *, amount: int | None = None,
               reason: RefundReason | None = None, refund_id: str | None = None,
               instructions_email: str | None = None, idempotency_key: str) -> Refund:
        """Refund all that is left of a succeeded payment, or `amount` of it.

        A bank transfer goes back to the payer's bank, whose details the provider asks the
        payer for at `instructions_email`: required for one (the provider refuses the refund
        without it), unused by other methods. Personal data: to the provider only, never logged.
        """
        ...

    def save_card(self, customer_ref: str, payment_method_token: str, *,
                  return_url: str | None = None, idempotency_key: str) -> CardSetup:
        """Save a vendor's card for off-session charges; it may need 3-D Secure first."""
        ...

    def charge_saved_card(self, customer_ref: str, payment_method_ref: str, amount: int,
                          currency: str, *, purpose: str, idempotency_key: str
                          ) -> PaymentAttempt:
        """Charge a saved card with the cardholder absent (promotion fees).

        PaymentDeclined whose decline `needs_authentication` when the issuer wants the
        cardholder: bring them back on session to pay.
        """
        ...

    def create_vendor_account(self, vendor_id: str, country: str, *,
                              idempotency_key: str) -> VendorAccount:
        """A connected account (Express) for a verified vendor, ONBOARDING until it is done."""
        ...

    def get_vendor_account(self, account_ref: str) -> VendorAccount: ...

    def onboarding_link(self, account_ref: str, *, refresh_url: str, return_url: str,
                        idempotency_key: str) -> OnboardingLink:
        """Where the vendor completes onboarding at the provider (single use, short-lived)."""
        ...

    def transfer(self, account_ref: str, amount: int, currency: str, *, order_id: str,
                 source_payment_ref: str, vendor_id: str | None = None,
                 idempotency_key: str) -> Transfer:
        """Pay a vendor its share of an order's payment (transfer group: the order)."""
        ...

    def reverse_transfer(self, transfer_ref: str, *, amount: int | None = None,
                         idempotency_key: str) -> TransferReversal:
        """Take back all of a transfer, or `amount` of it (a refund's compensation)."""
        ...


class ProviderEventInbox(Protocol):
    def record(self, event: ProviderEvent) -> bool:
        """Record a verified event once (common/adapters/provider_events.py); False if it was."""
        ...
