"""Stripe twin: PaymentIntents, refunds, idempotency, Connect (Express accounts, Account Links,
transfers, reversals, balances), events and signed webhooks (twice and shuffled on request)."""

from devstack.stripe.server import LocalStripe, start_stripe

__all__ = ["LocalStripe", "start_stripe"]
