"""Stripe twin: PaymentIntents for cards, refunds, idempotency, events and signed webhooks."""

from devstack.stripe.server import LocalStripe, start_stripe

__all__ = ["LocalStripe", "start_stripe"]
