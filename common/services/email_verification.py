"""Following the link of a verification email marks the account verified."""

from __future__ import annotations

from common.domain.errors import InvalidVerificationLink
from common.domain.events import EmailVerified
from common.ports.identity import Identity
from common.ports.unit_of_work import UnitOfWorkFactory


def confirm_email(oob_code: str, *, uow: UnitOfWorkFactory, identity: Identity) -> str:
    """Apply the code in Firebase, then mirror it in the account; returns the account id."""
    email = identity.apply_email_verification(oob_code)
    with uow() as tx:
        account = tx.accounts.by_email(email)
        if account is None:
            raise InvalidVerificationLink("This link belongs to no account.")
        if tx.accounts.mark_email_verified(account.id):
            tx.record(EmailVerified(account_id=account.id))
        tx.commit()
    return account.id


def verification_link(email: str, public_base_url: str, identity: Identity) -> str:
    """The link mailed to the user: our endpoint, carrying Firebase's one-time code."""
    code = identity.email_verification_code(email)
    return f"{public_base_url}/v1/email-verification?oob_code={code}"
