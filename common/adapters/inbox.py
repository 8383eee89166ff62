"""PostgresInbox: a consumer records each event id in the same transaction as its effect."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors


class PostgresInbox:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` handles `event_id`; False if it already has.

        A concurrent duplicate blocks on the primary key until the first transaction
        ends: it then sees the row (first committed) or claims it (first rolled back).
        """
        with translated_errors():
            row = self._db.execute(
                text("INSERT INTO inbox_events (consumer, event_id) VALUES (:consumer, :id) "
                     "ON CONFLICT DO NOTHING RETURNING event_id"),
                {"consumer": consumer, "id": event_id},
            ).first()
        return row is not None
