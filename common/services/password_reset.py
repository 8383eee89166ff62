"""Password reset: always accepted, so the answer never tells whether an email exists."""

from __future__ import annotations

from common.domain.events import Event
from common.domain.identity import AccountState
from common.services.ports import UnitOfWorkFactory


def request_password_reset(email: str, *, uow: UnitOfWorkFactory) -> None:
    """Record `password_reset.requested` for an active account; the mail carries the link."""
    with uow() as tx:
        account = tx.accounts.by_email(email)
        if account is None or account.state is not AccountState.ACTIVE:
            return
        tx.record(Event("password_reset.requested", {"account_id": account.id}))
        tx.commit()
