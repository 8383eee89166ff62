"""Receive the payment provider's webhooks: verify, then record each event once.

Nothing reacts here: the orders issue processes the inbox rows whose `processed_at` is
null (or its sagas read them). Answering 200 for a duplicate as for a new event stops
the provider's retries either way; a bad signature writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from common.domain.payments import ProviderEventType
from common.logs import log
from common.ports.payments import PaymentWebhooks, ProviderEventInbox

logger = logging.getLogger("bazaar.payments")


@dataclass(frozen=True)
class ReceivedEvent:
    event_id: str
    type: ProviderEventType
    duplicate: bool


def receive_provider_event(payload: bytes, signature_header: str, *,
                           webhooks: PaymentWebhooks,
                           inbox: ProviderEventInbox) -> ReceivedEvent:
    """Record the signed event in the inbox; InvalidWebhookSignature (nothing written) if
    the provider did not sign it. Logs ids and types only, never the payload."""
    event = webhooks.verify_webhook(payload, signature_header)
    duplicate = not inbox.record(event)
    log(logger, logging.INFO, "provider event received", provider=event.provider,
        event_id=event.event_id, type=event.type.value, provider_type=event.provider_type,
        duplicate=duplicate)
    return ReceivedEvent(event.event_id, event.type, duplicate)
