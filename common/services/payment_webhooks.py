"""Receive the payment provider's webhooks: verify, then record each event once.

Events about our payments are then handed to the purchase saga (payment_handoff.py),
which marks the inbox row processed. Answering 200 for a duplicate as for a new event stops
the provider's retries either way; a bad signature writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from common import faults
from common.domain.payments import ProviderEvent, ProviderEventType
from common.logs import log
from common.ports.payments import PaymentWebhooks, ProviderEventInbox

logger = logging.getLogger("bazaar.payments")


@dataclass(frozen=True)
class ReceivedEvent:
    event_id: str
    type: ProviderEventType
    duplicate: bool


def receive_provider_event(payload: bytes, signature_header: str, *,
                           webhooks: PaymentWebhooks, inbox: ProviderEventInbox,
                           hand_off: Callable[[ProviderEvent], object] | None = None
                           ) -> ReceivedEvent:
    """Record the signed event in the inbox, then `hand_off` it (an event about one of our
    payments updates it and wakes its saga: common/services/payment_handoff.py; a duplicate
    changes nothing there). InvalidWebhookSignature (nothing written) if the provider did not
    sign it. Logs ids and types only, never the payload."""
    event = webhooks.verify_webhook(payload, signature_header)
    duplicate = not inbox.record(event)
    log(logger, logging.INFO, "provider event received", provider=event.provider,
        event_id=event.event_id, type=event.type.value, provider_type=event.provider_type,
        duplicate=duplicate)
    faults.reached("webhook_after_inbox")
    if hand_off is not None:
        hand_off(event)
    return ReceivedEvent(event.event_id, event.type, duplicate)
