"""One database transaction: the aggregate's rows and its outbox events commit together.

Inside an idempotent request (`deferred_commits`), the commit of a transaction that
recorded events (the request's effect) waits until the response is known, so that the
response stored for the Idempotency-Key commits in the same transaction as the effect.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator

import sqlalchemy
from sqlalchemy import exc as sa_exc

from common import faults
from common.adapters.accounts import PostgresAccounts
from common.adapters.catalog import PostgresCatalog
from common.adapters.database import is_transient, translated_errors
from common.adapters.inbox import PostgresInbox
from common.adapters.outbox import OutboxRelay, add_events
from common.adapters.row_locks import RowLocks
from common.domain.errors import ServiceUnavailable
from common.domain.events import Event


class DeferredCommits:
    """The effect of an idempotent request, held open until its response can join it."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine
        self.pending: UnitOfWork | None = None

    def flush(self) -> None:
        """Commit the held transaction now (another one is about to start)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending._commit_now(close=True)

    def finish(self, complete: Callable[[sqlalchemy.Connection], None]) -> None:
        """Run `complete` (store the response) in the effect's transaction and commit both;
        with no effect held, in a transaction of its own."""
        pending, self.pending = self.pending, None
        if pending is None:
            with translated_errors(), self._engine.begin() as connection:
                complete(connection)
            return
        try:
            with translated_errors():
                complete(pending.connection)
        except BaseException:
            pending._close()
            raise
        pending._commit_now(close=True)

    def discard(self) -> None:
        """Roll back a held effect (the request failed before it could be answered)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending._close()


_DEFERRED: contextvars.ContextVar[DeferredCommits | None] = contextvars.ContextVar(
    "bazaar_deferred_commits", default=None)


@contextlib.contextmanager
def deferred_commits(engine: sqlalchemy.Engine) -> Iterator[DeferredCommits]:
    """Within this block, a transaction with events commits only through `finish`."""
    scope = DeferredCommits(engine)
    token = _DEFERRED.set(scope)
    try:
        yield scope
    finally:
        _DEFERRED.reset(token)
        scope.discard()


class UnitOfWork:
    """`with UnitOfWork(...) as uow: ...; uow.commit()`; anything not committed rolls back.

    After commit, the events recorded in this transaction are handed to the relay,
    which publishes them at once; what it cannot publish the outbox sweep publishes later.
    A transient database error inside the block (deadlock, serialization failure,
    timeout, failover) leaves it as ServiceUnavailable, so use cases compensate for it.
    """

    def __init__(self, engine: sqlalchemy.Engine, relay: OutboxRelay | None) -> None:
        self._engine = engine
        self._relay = relay
        self._event_ids: list[str] = []
        self._held = False

    def __enter__(self) -> "UnitOfWork":
        scope = _DEFERRED.get()
        if scope is not None:
            scope.flush()  # what this transaction reads must include the earlier effect
        with translated_errors():
            self.connection = self._engine.connect()
            self._transaction = self.connection.begin()
        self._locks = RowLocks()
        self.accounts = PostgresAccounts(self.connection, self._locks)
        self.catalog = PostgresCatalog(self.connection, self._locks)
        self.inbox = PostgresInbox(self.connection)
        return self

    @property
    def locks(self) -> RowLocks:
        """The row locks this transaction holds: a subclass hands them to its own adapters,
        so every lock of the transaction is taken in the one LOCK_ORDER."""
        return self._locks

    def record(self, *events: Event) -> None:
        """Write events to the outbox inside this transaction."""
        with translated_errors():
            add_events(self.connection, events)
        self._event_ids.extend(event.id for event in events)

    def commit(self) -> None:
        scope = _DEFERRED.get()
        if scope is not None and self._event_ids:
            self._held = True
            scope.pending = self
            return
        self._commit_now(close=False)

    def _commit_now(self, *, close: bool) -> None:
        """Commit, then publish; `close` for a held transaction whose block has ended."""
        self._held = False
        try:
            with translated_errors():
                self._transaction.commit()
        finally:
            if close:
                self._close()
        faults.reached("after_commit")
        if self._event_ids and self._relay is not None:
            self._relay.publish_now(self._event_ids)
        self._event_ids = []

    def _close(self) -> None:
        with translated_errors():
            try:
                if self._transaction.is_active:
                    self._transaction.rollback()
            finally:
                self.connection.close()

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        if not self._held:
            self._close()
        if isinstance(exc, sa_exc.DBAPIError) and is_transient(exc):
            raise ServiceUnavailable("database", exc) from exc
