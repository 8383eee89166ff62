"""The transactional outbox: events written with the change, published after commit.

`add_events` runs inside the caller's transaction. `OutboxRelay.publish_now` publishes
a committed transaction's events right away; `OutboxRelay.sweep` (the scheduled
sweep_outbox function) publishes whatever is still unpublished, e.g. because the
process died between commit and publish. Consumers deduplicate by event id, so a
message published twice has one effect.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Callable, Iterable, Protocol, Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.domain.events import Event
from common.logs import log

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, messages: Sequence["OutboxMessage"]) -> None:
        """Publish all messages or raise."""


class OutboxMessage:
    __slots__ = ("id", "topic", "type", "body")

    def __init__(self, id: str, topic: str, type: str, body: dict) -> None:  # noqa: A002
        self.id, self.topic, self.type, self.body = id, topic, type, body


_INSERT = text(
    "INSERT INTO outbox_events (id, topic, type, payload, occurred_at) "
    "VALUES (:id, :topic, :type, CAST(:payload AS jsonb), :occurred_at)"
)


def add_events(connection: sqlalchemy.Connection, events: Iterable[Event]) -> None:
    rows = [
        {
            "id": event.id,
            "topic": event.topic,
            "type": event.type,
            "payload": json.dumps(event.payload()),
            "occurred_at": event.occurred_at,
        }
        for event in events
    ]
    if rows:
        connection.execute(_INSERT, rows)


_CLAIM_BY_ID = text(
    "SELECT id, topic, type, payload, occurred_at FROM outbox_events "
    "WHERE id = ANY(CAST(:ids AS uuid[])) AND published_at IS NULL "
    "ORDER BY occurred_at FOR UPDATE SKIP LOCKED"
)
_CLAIM_STALE = text(
    "SELECT id, topic, type, payload, occurred_at FROM outbox_events "
    "WHERE published_at IS NULL AND occurred_at < now() - make_interval(secs => :grace_s) "
    "ORDER BY occurred_at LIMIT :limit FOR UPDATE SKIP LOCKED"
)
_MARK_PUBLISHED = text(
    "UPDATE outbox_events SET published_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))"
)
_MARK_FAILED = text(
    "UPDATE outbox_events SET publish_attempts = publish_attempts + 1 "
    "WHERE id = ANY(CAST(:ids AS uuid[]))"
)


def _message(row: sqlalchemy.Row) -> OutboxMessage:
    occurred_at: datetime = row.occurred_at
    body = {
        "id": str(row.id),
        "type": row.type,
        "occurred_at": occurred_at.isoformat(),
        "payload": row.payload,
    }
    return OutboxMessage(str(row.id), row.topic, row.type, body)


class OutboxRelay:
    def __init__(self, engine: sqlalchemy.Engine, publisher: Callable[[], Publisher]) -> None:
        self._engine = engine
        self._publisher = publisher  # built lazily: functions that publish nothing never import it

    def publish_now(self, event_ids: Sequence[str]) -> int:
        """Publish these committed events; on failure leave them to the sweep (never raise)."""
        try:
            return self._publish(_CLAIM_BY_ID, {"ids": list(event_ids)})
        except Exception as error:  # the change is committed; the sweep will deliver
            log(logger, logging.WARNING, "outbox publish deferred to the sweep",
                events=len(event_ids), error=type(error).__name__)
            return 0

    def sweep(self, grace_s: float = 30.0, limit: int = 500) -> int:
        """Publish events left unpublished for longer than `grace_s`; returns how many."""
        return self._publish(_CLAIM_STALE, {"grace_s": grace_s, "limit": limit})

    def _publish(self, claim: sqlalchemy.TextClause, params: dict) -> int:
        with translated_errors(), self._engine.connect() as connection:
            messages = [_message(row) for row in connection.execute(claim, params)]
            if not messages:
                return 0
            ids = [message.id for message in messages]
            try:
                self._publisher().publish(messages)
            except Exception:
                connection.execute(_MARK_FAILED, {"ids": ids})
                connection.commit()
                raise
            connection.execute(_MARK_PUBLISHED, {"ids": ids})
            connection.commit()
        return len(messages)
