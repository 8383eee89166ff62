"""Security signals for the fraud worker: a registration, a login that succeeded or failed.

Published directly (no outbox: the registration or login has already happened, nothing is
left to commit) and best effort: a signal that cannot be published is logged by ids and
dropped, never turned into a failed registration or login
(docs/decisions/0028-fraud-signals.md).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Protocol

from common.domain.events import Event, SignalLogin, SignalRegistration
from common.domain.identity import Account
from common.domain.security_signals import Origin, email_domain, email_shape
from common.logs import log
from common.ports.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)


class SignalPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Publish the event now (ServiceUnavailable if Pub/Sub does not take it)."""
        ...


def signal_registration(account: Account, email: str, origin: Origin,
                        publisher: SignalPublisher) -> None:
    """Tell the fraud worker an account registered: the email's domain and shape only."""
    signal_id = str(uuid.uuid4())
    _publish(publisher, SignalRegistration(
        id=signal_id, signal_id=signal_id, account_id=account.id, role=account.role.value,
        email_domain=email_domain(email),
        email_local_shape=dataclasses.asdict(email_shape(email)),
        device_id=origin.device_id, ip=origin.ip, country=origin.country))


def signal_login(account_id: str | None, succeeded: bool, origin: Origin,
                 publisher: SignalPublisher) -> None:
    """Tell the fraud worker a login succeeded or failed (account_id None: unknown email)."""
    signal_id = str(uuid.uuid4())
    _publish(publisher, SignalLogin(
        id=signal_id, signal_id=signal_id, account_id=account_id,
        outcome="succeeded" if succeeded else "failed", device_id=origin.device_id,
        ip=origin.ip, country=origin.country))


def signal_failed_login(email: str, origin: Origin, *, uow: UnitOfWorkFactory,
                        publisher: SignalPublisher) -> None:
    """A failed login, on the account the email belongs to (if any: a burst per account)."""
    try:
        with uow() as tx:
            account = tx.accounts.by_email(email)
    except Exception as error:  # best effort: the caller is answered the login's own error
        log(logger, logging.WARNING, "failed login not signalled", dependency="database",
            error=type(error).__name__)
        return
    signal_login(account.id if account else None, False, origin, publisher)


def _publish(publisher: SignalPublisher, event: Event) -> None:
    try:
        publisher.publish(event)
    except Exception as error:  # best effort by design: the signal is history, not state
        log(logger, logging.WARNING, "security signal not published", event_type=event.type,
            event_id=event.id, error=type(error).__name__)
