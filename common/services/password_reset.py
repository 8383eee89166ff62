"""Password reset: accepted alike for every email, so the answer never tells whether one exists.

Throttled so nobody can flood a mailbox: past the per-email limit the request is accepted
as usual but nothing is mailed; past the per-client-address limit it is refused (429).
"""

from __future__ import annotations

from common.domain.errors import TooManyAttempts
from common.domain.events import PasswordResetRequested
from common.domain.identity import AccountState
from common.ports.identity import RateLimiter
from common.ports.unit_of_work import UnitOfWorkFactory
from common.settings import Settings


def request_password_reset(email: str, client_address: str, *, uow: UnitOfWorkFactory,
                           limiter: RateLimiter, settings: Settings) -> None:
    """Record `password_reset.requested` for an active account; the mail carries the link.

    Raises TooManyAttempts when this client address has asked too often in the window.
    """
    retry_after = limiter.reserve(
        [(f"reset:address:{client_address}", settings.password_resets_per_address)])
    if retry_after is not None:
        raise TooManyAttempts("Too many password reset requests: wait before trying again.",
                              retry_after)
    per_email = [(f"reset:email:{email}", settings.password_resets_per_email)]
    if limiter.reserve(per_email) is not None:
        return  # enough mails for this email in the window; the answer stays the same
    with uow() as tx:
        account = tx.accounts.by_email(email)
        if account is None or account.state is not AccountState.ACTIVE:
            return
        tx.record(PasswordResetRequested(account_id=account.id))
        tx.commit()
