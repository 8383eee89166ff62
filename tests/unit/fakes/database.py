"""The fake system of record: tables, and units of work that change them only on commit."""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Callable

from common.domain.errors import ServiceUnavailable
from common.domain.events import Event
from tests.unit.fakes.base import FakeClock, Tables
from tests.unit.fakes.catalog import FakeCatalog
from tests.unit.fakes.identity import FakeAccounts
from tests.unit.fakes.messaging import FakeInbox


class FakeUnitOfWork:
    """One transaction: works on a copy of the tables taken at `__enter__`; `commit` makes
    that copy the database's and its recorded events visible. Uncommitted work vanishes."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self._events: list[Event] = []

    def __enter__(self) -> FakeUnitOfWork:
        self._db.transactions += 1
        if self._db.unavailable:
            raise ServiceUnavailable("database")
        self.tables = copy.deepcopy(self._db.tables)
        self.accounts = FakeAccounts(self.tables, self._db.clock)
        self.catalog = FakeCatalog(self.tables, self._db.clock)
        self.inbox = FakeInbox(self.tables)
        return self

    def record(self, *events: Event) -> None:
        self._events.extend(events)

    def commit(self) -> None:
        self._db.commit_attempts += 1
        error = self._db.commit_failures.pop(self._db.commit_attempts, None)
        if error is not None:
            raise error
        self._db.tables = copy.deepcopy(self.tables)  # later work here is a new transaction
        self._db.committed_events.extend(self._events)
        self._events = []

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._events = []  # rolled back


class FakeDatabase:
    """Committed `tables` and `committed_events`; `unit_of_work` is the UnitOfWorkFactory
    (one object per database, as bootstrap.unit_of_work is one per process)."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.tables = Tables()
        self.committed_events: list[Event] = []
        self.transactions = 0
        self.commit_attempts = 0
        self.commit_failures: dict[int, BaseException] = {}
        self.unavailable = False
        self.unit_of_work: Callable[[], FakeUnitOfWork] = lambda: FakeUnitOfWork(self)

    def fail_commit(self, error: BaseException | None = None, *, after: int = 0) -> None:
        """The commit after `after` more successful ones raises `error` (the database
        went away: ServiceUnavailable), leaving the tables as they were."""
        error = error or ServiceUnavailable("database")
        self.commit_failures[self.commit_attempts + after + 1] = error

    def events(self) -> list[tuple[type[Event], dict]]:
        """The committed events as (type, payload): what a test compares exactly."""
        return [(type(event), event.payload()) for event in self.committed_events]
