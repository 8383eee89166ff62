"""Messages in and out: the consumers' inbox, outgoing mail, and what order mails read."""

from __future__ import annotations

from typing import Protocol

from common.domain.notifications import Mail
from common.domain.order_mails import MailedOrder


class Inbox(Protocol):
    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` handles `event_id` in this transaction; False if it has."""
        ...


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand the mail to the relay (ServiceUnavailable if it is down)."""
        ...


class OrderMailReads(Protocol):
    def order(self, order_id: str) -> MailedOrder | None:
        """What an order's mails show of it (ids, amounts, lines); None if there is none."""
        ...
