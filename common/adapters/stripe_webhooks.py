"""StripeWebhooks: checks a webhook's `Stripe-Signature` and reads its event.

Needs only the endpoint's signing secret (STRIPE_WEBHOOK_SECRET), not the API key: the
webhook door is given nothing else. The signature is checked over the raw bytes received
with the SDK's `WebhookSignature.verify_header` (what `Webhook.construct_event` does first;
Stripe documents it for "validating incoming webhooks before storing them for later
processing"), with Stripe's default tolerance of 300 s against replays of old deliveries.
"""

from __future__ import annotations

import json

import stripe

from common.adapters.stripe_mapping import provider_event_of
from common.domain.errors import InvalidWebhookSignature
from common.domain.payments import ProviderEvent

TOLERANCE_S = 300


class StripeWebhooks:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook signing secret is required")
        self._secret = secret

    def verify_webhook(self, payload: bytes, signature_header: str) -> ProviderEvent:
        """The signed event; InvalidWebhookSignature for a forged, altered or stale one."""
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, self._secret,
                                                  TOLERANCE_S)
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
            raise InvalidWebhookSignature() from None
        if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id"):
            raise InvalidWebhookSignature("Signed, but not a Stripe event.")
        return provider_event_of(event)
