"""Send the email that an event calls for (verification, password reset, vendor review)."""

from __future__ import annotations

from datetime import datetime, timezone

from common.domain import notifications as templates
from common.domain.events import (
    Event,
    PasswordResetRequested,
    UserRegistered,
    VendorRejected,
    VendorVerified,
)
from common.domain.identity import Account, AccountState, Role
from common.domain.notifications import Mail
from common.ports.identity import Identity
from common.ports.messaging import Mailer
from common.ports.unit_of_work import UnitOfWork
from common.services.email_verification import verification_link


def is_stale(event: Event, now: datetime | None = None) -> bool:
    """An event past its useful life is dropped rather than mailed."""
    life = templates.USEFUL_LIFE.get(event.type)
    now = now or datetime.now(timezone.utc)
    return life is not None and now - event.occurred_at > life


def compose(event: Event, account: Account, *, identity: Identity,
            public_base_url: str) -> Mail | None:
    """The mail for this event, or None when there is nothing to say any more."""
    if isinstance(event, UserRegistered):
        if account.email_verified or account.state is not AccountState.ACTIVE:
            return None
        link = verification_link(account.email, public_base_url, identity)
        return templates.verification_mail(account.email, account.name, link,
                                           account.role is Role.VENDOR, event.id)
    if isinstance(event, PasswordResetRequested):
        if account.state is not AccountState.ACTIVE:
            return None
        link = identity.password_reset_link(account.email)
        return templates.password_reset_mail(account.email, account.name, link, event.id)
    if account.vendor is None:
        return None
    if isinstance(event, VendorVerified):
        return templates.vendor_verified_mail(account.email, account.name,
                                              account.vendor.business.legal_name, event.id)
    if isinstance(event, VendorRejected):
        return templates.vendor_rejected_mail(account.email, account.name,
                                              account.vendor.business.legal_name,
                                              event.reason, event.id)
    return None


def _addressee(event: Event) -> str | None:
    """The account an event that may call for a mail is about."""
    if isinstance(event, (UserRegistered, PasswordResetRequested)):
        return event.account_id
    if isinstance(event, (VendorVerified, VendorRejected)):
        return event.vendor_id
    return None


def notify(event: Event, tx: UnitOfWork, *, identity: Identity, mailer: Mailer,
           public_base_url: str) -> bool:
    """Mail the account the event is about; True when a mail went out."""
    account_id = _addressee(event)
    account = tx.accounts.get(account_id) if account_id else None
    if account is None:
        return False
    mail = compose(event, account, identity=identity, public_base_url=public_base_url)
    if mail is None:
        return False
    mailer.send(mail)
    return True
