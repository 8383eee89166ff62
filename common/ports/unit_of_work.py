"""One transaction over the system of record: what a use case reads and changes, and the
events it records, commit together (common/adapters/unit_of_work.py)."""

from __future__ import annotations

from typing import Callable, ContextManager, Protocol

from common.domain.events import Event
from common.ports.catalog import Catalog
from common.ports.identity import Accounts
from common.ports.messaging import Inbox


class UnitOfWork(ContextManager["UnitOfWork"], Protocol):
    @property
    def accounts(self) -> Accounts: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def inbox(self) -> Inbox: ...

    def record(self, *events: Event) -> None:
        """Write events to the outbox, in this transaction."""
        ...

    def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
