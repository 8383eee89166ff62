"""The webhook use case: only what the provider signed is recorded, each event once."""

from __future__ import annotations

import json
import time

import pytest
import stripe

from common.adapters.stripe_webhooks import StripeWebhooks
from common.domain.errors import InvalidWebhookSignature
from common.domain.payments import ProviderEvent, ProviderEventType
from common.services.payment_webhooks import receive_provider_event

SECRET = "whsec_unit_test_secret"
EVENT = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                    "created": 1767225600, "data": {"object": {
                        "id": "pi_1", "object": "payment_intent", "amount": 500,
                        "currency": "eur", "metadata": {"order_id": "o1"}}}}).encode()


class FakeProviderEvents:
    """The provider_events table: event ids and what was recorded under them."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ProviderEvent] = {}

    def record(self, event: ProviderEvent) -> bool:
        return self.rows.setdefault((event.provider, event.event_id), event) is event


def _signed(payload: bytes, timestamp: int | None = None, secret: str = SECRET) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret,
                                                             timestamp)


def test_a_signed_event_is_recorded_once_and_a_duplicate_answered_alike():
    # Given the signed delivery of one event
    inbox, header = FakeProviderEvents(), _signed(EVENT)
    webhooks = StripeWebhooks(SECRET)

    # When it is delivered twice
    first = receive_provider_event(EVENT, header, webhooks=webhooks, inbox=inbox)
    second = receive_provider_event(EVENT, header, webhooks=webhooks, inbox=inbox)

    # Then one row holds it, and the second delivery is a duplicate
    assert (first.duplicate, second.duplicate) == (False, True)
    assert first.type is ProviderEventType.PAYMENT_SUCCEEDED
    assert list(inbox.rows) == [("stripe", "evt_1")]
    assert inbox.rows["stripe", "evt_1"].order_id == "o1"


@pytest.mark.parametrize("payload,header", [
    (EVENT, _signed(EVENT, secret="whsec_someone_else")),
    (EVENT.replace(b"500", b"900"), _signed(EVENT)),
    (EVENT, _signed(EVENT, timestamp=int(time.time()) - 301)),
    (EVENT, ""),
    (EVENT, "t=oops"),
    (b"\xff\xfe not utf-8", "t=1,v1=00"),
    (b'["signed", "but not an event"]', _signed(b'["signed", "but not an event"]')),
], ids=["other-secret", "altered-body", "stale", "no-header", "malformed-header",
        "not-utf8", "not-an-event"])
def test_what_the_provider_did_not_sign_is_refused_and_nothing_recorded(payload, header):
    inbox = FakeProviderEvents()

    with pytest.raises(InvalidWebhookSignature):
        receive_provider_event(payload, header, webhooks=StripeWebhooks(SECRET), inbox=inbox)

    assert inbox.rows == {}


def test_a_delivery_within_the_tolerance_is_accepted():
    header = _signed(EVENT, timestamp=int(time.time()) - 290)
    assert StripeWebhooks(SECRET).verify_webhook(EVENT, header).event_id == "evt_1"
