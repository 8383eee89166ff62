"""DirectEventPublisher: publishes one event straight to Pub/Sub, without the outbox.

For telemetry that is no state change (a batch of interactions): nothing to commit, and
the client retries a 503 with the same batch. The message has exactly the shape the outbox
relay gives its messages (body {id, type, occurred_at, payload}, attributes type and
event_id), so common/events.py decodes it and the inbox deduplicates on its id.
"""

from __future__ import annotations

from typing import Callable

from common.adapters.outbox import OutboxMessage, Publisher
from common.domain.errors import ServiceUnavailable
from common.domain.events import Event


def message_of(event: Event) -> OutboxMessage:
    """The Pub/Sub message of an event, as the outbox relay builds it."""
    body = {"id": event.id, "type": event.type, "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload()}
    return OutboxMessage(event.id, event.topic, event.type, body)


class DirectEventPublisher:
    def __init__(self, publisher: Callable[[], Publisher]) -> None:
        self._publisher = publisher  # built lazily, like the relay's

    def publish(self, event: Event) -> None:
        """Publish the event; ServiceUnavailable if Pub/Sub does not accept it in time."""
        try:
            self._publisher().publish([message_of(event)])
        except Exception as error:
            raise ServiceUnavailable("Pub/Sub", error) from error
