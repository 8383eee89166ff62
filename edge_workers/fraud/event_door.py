"""POST /_events/<subscription>: a Pub/Sub push envelope → the handler of its type → the
cases its findings open, with fraud.case_opened in the outbox, in one transaction.

The event id (the outbox id in the message body) is claimed in the inbox first, so a
redelivered or replayed event has one effect. An unknown type is acknowledged (204) and
logged; an envelope that is not one is 400 (Pub/Sub retries it, then dead-letters it).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

import sqlalchemy

from common.adapters.inbox import PostgresInbox
from common.adapters.outbox import add_events
from common.adapters.postgres_fraud_cases import PostgresFraudCases
from common.domain.errors import Problem
from common.domain.events import Event
from common.logs import log
from common.services.fraud_cases import open_case
from edge_workers.fraud.event_handlers import Handler
from edge_workers.fraud.history import PostgresHistory

logger = logging.getLogger("bazaar.fraud.events")
CONSUMER = "fraud_worker"


class MalformedPush(Problem):
    """The request is not a Pub/Sub push envelope of one of our events (400: a retry of
    the same push cannot help)."""

    status, code, title = 400, "malformed_event", "Malformed event"


@dataclass(frozen=True)
class PushedEvent:
    id: str
    type: str
    payload: dict[str, Any]


def parse_push(envelope: Any) -> PushedEvent:
    """The event inside a push envelope; MalformedPush for anything else."""
    try:
        message = envelope["message"]
        body = json.loads(base64.b64decode(message["data"], validate=True))
        attributes = message.get("attributes") or {}
        event_type = attributes.get("type") or body["type"]
        event_id, payload = body["id"], body["payload"]
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise MalformedPush(type(error).__name__) from error
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)
            and isinstance(payload, dict)):
        raise MalformedPush("id, type or payload of the wrong shape")
    return PushedEvent(event_id[:200], event_type, payload)


class EventDoor:
    """Applies pushed events once each; acknowledges (and logs) the types it does not know."""

    def __init__(self, engine: sqlalchemy.Engine, handlers: Mapping[str, Handler],
                 published: Callable[[list[str]], Any], now: Callable[[], datetime]) -> None:
        self._engine, self._handlers = engine, dict(handlers)
        self._published, self._now = published, now

    def handle(self, subscription: str, envelope: Any) -> list[str]:
        """The ids of the cases opened (none for a duplicate or an unknown type)."""
        event = parse_push(envelope)
        handler = self._handlers.get(event.type)
        if handler is None:
            log(logger, logging.WARNING, "unknown event type acknowledged",
                subscription=subscription, type=event.type[:60])
            return []
        events: list[Event] = []
        with self._engine.begin() as connection:
            if not PostgresInbox(connection).claim(CONSUMER, event.id):
                return []
            now = self._now()
            try:
                drafts = handler(event.id, event.payload, PostgresHistory(connection), now)
            except (KeyError, TypeError, ValueError) as error:  # a retry cannot help
                raise MalformedPush(f"{event.type}: {type(error).__name__}") from error
            cases = PostgresFraudCases(connection)
            opened = [case_id for draft in drafts
                      if (case_id := open_case(cases, events.append, draft, now)) is not None]
            add_events(connection, events)
        if events:
            self._published([e.id for e in events])
        log(logger, logging.INFO, "event handled", subscription=subscription,
            event_id=event.id, type=event.type, cases=len(opened))
        return opened
