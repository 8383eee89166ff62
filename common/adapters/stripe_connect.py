"""Stripe Connect for vendors: Express accounts, onboarding links, transfers and reversals.

Separate charges and transfers: the buyer pays the platform once per order (its
PaymentIntent's transfer_group is the order); each vendor's share is then a transfer
from that payment's charge (`source_transaction`, so it waits for the funds), and the
platform keeps the rest as its commission. A refund's compensation reverses transfers.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import stripe

from common.adapters.stripe_client import plain, provider_errors
from common.adapters.stripe_mapping import reversal_of, transfer_of, vendor_account_of
from common.domain.errors import InvalidState
from common.domain.payments import OnboardingLink, Transfer, TransferReversal, VendorAccount


class StripeConnect:
    """The Connect half of StripePayments (it holds the SDK client)."""

    _client: stripe.StripeClient

    def create_vendor_account(self, vendor_id: str, country: str, *,
                              idempotency_key: str) -> VendorAccount:
        """Express, as Stripe's Express guide creates it: card payments and transfers."""
        with provider_errors():
            account = self._client.v1.accounts.create(params={
                "type": "express", "country": country,
                "capabilities": {"card_payments": {"requested": True},
                                 "transfers": {"requested": True}},
                "metadata": {"vendor_id": vendor_id}},
                options={"idempotency_key": idempotency_key})
        return vendor_account_of(plain(account))

    def get_vendor_account(self, account_ref: str) -> VendorAccount:
        with provider_errors():
            account = self._client.v1.accounts.retrieve(account_ref)
        return vendor_account_of(plain(account))

    def onboarding_link(self, account_ref: str, *, refresh_url: str, return_url: str,
                        idempotency_key: str) -> OnboardingLink:
        with provider_errors():
            link = self._client.v1.account_links.create(params={
                "account": account_ref, "type": "account_onboarding",
                "refresh_url": refresh_url, "return_url": return_url},
                options={"idempotency_key": idempotency_key})
        return OnboardingLink(link.url, datetime.fromtimestamp(link.expires_at, timezone.utc))

    def transfer(self, account_ref: str, amount: int, currency: str, *, order_id: str,
                 source_payment_ref: str, vendor_id: str | None = None,
                 idempotency_key: str) -> Transfer:
        metadata = {"order_id": order_id, **({"vendor_id": vendor_id} if vendor_id else {})}
        params: dict[str, Any] = {
            "amount": amount, "currency": currency, "destination": account_ref,
            "transfer_group": order_id, "source_transaction": self._charge_of(source_payment_ref),
            "metadata": metadata}
        with provider_errors():
            transfer = self._client.v1.transfers.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return transfer_of(plain(transfer))

    def reverse_transfer(self, transfer_ref: str, *, amount: int | None = None,
                         idempotency_key: str) -> TransferReversal:
        params = {"amount": amount} if amount is not None else {}
        with provider_errors():
            reversal = self._client.v1.transfers.reversals.create(
                transfer_ref, params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        return reversal_of(plain(reversal))

    def _charge_of(self, payment_ref: str) -> str:
        """A transfer's source is the payment's charge (ch_…), not the PaymentIntent."""
        with provider_errors():
            intent = self._client.v1.payment_intents.retrieve(payment_ref)
        charge = intent.latest_charge
        if charge is None:
            raise InvalidState("The payment has no charge to transfer from yet.")
        return charge if isinstance(charge, str) else charge.id
