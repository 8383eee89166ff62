"""One database transaction: the aggregate's rows and its outbox events commit together."""

from __future__ import annotations

import sqlalchemy

from common.adapters.accounts import PostgresAccounts
from common.adapters.catalog import PostgresCatalog
from common.adapters.database import translated_errors
from common.adapters.outbox import OutboxRelay, add_events
from common.domain.events import Event


class UnitOfWork:
    """`with UnitOfWork(...) as uow: ...; uow.commit()`; anything not committed rolls back.

    After commit, the events recorded in this transaction are handed to the relay,
    which publishes them at once; what it cannot publish the outbox sweep publishes later.
    """

    def __init__(self, engine: sqlalchemy.Engine, relay: OutboxRelay | None) -> None:
        self._engine = engine
        self._relay = relay
        self._event_ids: list[str] = []

    def __enter__(self) -> "UnitOfWork":
        with translated_errors():
            self.connection = self._engine.connect()
            self._transaction = self.connection.begin()
        self.accounts = PostgresAccounts(self.connection)
        self.catalog = PostgresCatalog(self.connection)
        return self

    def record(self, *events: Event) -> None:
        """Write events to the outbox inside this transaction."""
        with translated_errors():
            add_events(self.connection, events)
        self._event_ids.extend(event.id for event in events)

    def commit(self) -> None:
        with translated_errors():
            self._transaction.commit()
        if self._event_ids and self._relay is not None:
            self._relay.publish_now(self._event_ids)
        self._event_ids = []

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        with translated_errors():
            try:
                if self._transaction.is_active:
                    self._transaction.rollback()
            finally:
                self.connection.close()

