"""Messages in and out: the consumers' inbox, and outgoing mail."""

from __future__ import annotations

from typing import Protocol

from common.domain.notifications import Mail


class Inbox(Protocol):
    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` handles `event_id` in this transaction; False if it has."""
        ...


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand the mail to the relay (ServiceUnavailable if it is down)."""
        ...
