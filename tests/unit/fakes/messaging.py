"""Fakes of the messaging ports: the consumers' inbox and outgoing mail."""

from __future__ import annotations

from common.domain.notifications import Mail
from tests.unit.fakes.base import Breakable, Tables


class FakeInbox:
    """PostgresInbox over the tables of one fake transaction."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    def claim(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self._t.inbox:
            return False
        self._t.inbox.add((consumer, event_id))
        return True


class FakeMailer(Breakable):
    """The SMTP relay: `sent` holds every mail it accepted."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self._before("send")
        self.sent.append(mail)
