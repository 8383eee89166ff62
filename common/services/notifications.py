"""Send the email that an event calls for (verification, password reset, vendor review)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol

from common.domain import notifications as templates
from common.domain.identity import Account, AccountState, Role
from common.domain.notifications import Mail
from common.services.email_verification import verification_link
from common.services.ports import Identity, UnitOfWork


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


def is_stale(event_type: str, occurred_at: datetime, now: datetime | None = None) -> bool:
    """An event past its useful life is dropped rather than mailed."""
    life = templates.USEFUL_LIFE.get(event_type)
    now = now or datetime.now(timezone.utc)
    return life is not None and now - occurred_at > life


def compose(event_type: str, event_id: str, payload: dict, account: Account, *,
            identity: Identity, public_base_url: str) -> Mail | None:
    """The mail for this event, or None when there is nothing to say any more."""
    if event_type == "user.registered":
        if account.email_verified or account.state is not AccountState.ACTIVE:
            return None
        link = verification_link(account.email, public_base_url, identity)
        return templates.verification_mail(account.email, account.name, link,
                                           account.role is Role.VENDOR, event_id)
    if event_type == "password_reset.requested":
        if account.state is not AccountState.ACTIVE:
            return None
        link = identity.password_reset_link(account.email)
        return templates.password_reset_mail(account.email, account.name, link, event_id)
    if event_type == "vendor.verified":
        return templates.vendor_verified_mail(account.email, account.name,
                                              account.vendor.business.legal_name, event_id)
    if event_type == "vendor.rejected":
        return templates.vendor_rejected_mail(account.email, account.name,
                                              account.vendor.business.legal_name,
                                              payload["reason"], event_id)
    return None


def notify(event_type: str, event_id: str, payload: dict, tx: UnitOfWork, *,
           identity: Identity, mailer: Mailer, public_base_url: str) -> bool:
    """Mail the account the event is about; True when a mail went out."""
    account_id = payload.get("account_id") or payload.get("vendor_id")
    account = tx.accounts.get(account_id) if account_id else None
    if account is None:
        return False
    mail = compose(event_type, event_id, payload, account, identity=identity,
                   public_base_url=public_base_url)
    if mail is None:
        return False
    mailer.send(mail)
    return True
