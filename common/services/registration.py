"""Register as Customer / Register as Vendor: an account in both Firebase Auth and the
database, or in neither.

Steps: (1) insert the account as `registering` (the unique email decides races),
(2) create the Firebase user with the same id, (3) activate it and record
`user.registered` (which mails the verification link). A failure undoes the earlier
steps: the Firebase user by id (a failed call may still have created it), then the row.
What cannot be undone at once (Firebase down, a crash) stays `registering`, and
`reconcile_stale_registrations` removes both halves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from dataclasses import dataclass

from common.domain.errors import EmailTaken, ServiceUnavailable
from common.domain.events import Event, UserRegistered, VendorRegistered
from common.domain.identity import (
    DEFAULT_PAYMENT_METHODS,
    Account,
    AccountState,
    Business,
    Role,
    VendorProfile,
    VendorStatus,
)
from common.logs import log
from common.ports.identity import Identity
from common.ports.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)
TAKEN = "This email is already registered: log in, or reset your password if you forgot it."
# A registration still `registering` after this long was interrupted.
STALE_AFTER_S = 300


@dataclass(frozen=True)
class NewAccount:
    name: str
    email: str
    password: str
    role: Role
    business: Business | None = None


def register(new: NewAccount, uow: UnitOfWorkFactory, identity: Identity,
             *, email_verified: bool = False) -> Account:
    """Create the account; raises EmailTaken or ServiceUnavailable, leaving nothing behind."""
    account = _pending_account(new)
    with uow() as tx:
        if not tx.accounts.add_registering(account):
            raise EmailTaken(TAKEN)
        tx.commit()
    try:
        identity.create_user(account.id, new.email, new.password, new.name, new.role.value,
                             email_verified=email_verified)
        with uow() as tx:
            if not tx.accounts.activate(account.id):  # the reconciler undid it meanwhile
                raise ServiceUnavailable("database")
            if email_verified:
                tx.accounts.mark_email_verified(account.id)
            tx.record(*_registered_events(account, email_verified))
            tx.commit()
    except Exception:
        _undo(account.id, uow, identity)
        raise
    return dataclasses.replace(account, state=AccountState.ACTIVE, email_verified=email_verified)


def _pending_account(new: NewAccount) -> Account:
    vendor = None
    if new.role is Role.VENDOR:
        if new.business is None:
            raise ValueError("a vendor registers with its business details")
        vendor = VendorProfile(VendorStatus.PENDING_VERIFICATION, new.business,
                               DEFAULT_PAYMENT_METHODS)
    return Account(id=str(uuid.uuid4()), email=new.email, name=new.name, role=new.role,
                   state=AccountState.REGISTERING, email_verified=False, created_at=None,
                   vendor=vendor)


def _registered_events(account: Account, email_verified: bool) -> list[Event]:
    events: list[Event] = []
    if not email_verified:
        events.append(UserRegistered(account_id=account.id, role=account.role.value))
    if account.vendor is not None:
        events.append(VendorRegistered(vendor_id=account.id))
    return events


def _undo(account_id: str, uow: UnitOfWorkFactory, identity: Identity) -> None:
    """Remove both halves: the Firebase user first, so the row (which the reconciler
    works from) goes only once the user is known to be gone. Best effort."""
    try:
        identity.delete_user(account_id)
    except ServiceUnavailable:
        log(logger, logging.WARNING, "registration left to the reconciler", account_id=account_id)
        return
    with contextlib.suppress(ServiceUnavailable), uow() as tx:
        tx.accounts.delete_registering(account_id)
        tx.commit()


def reconcile_stale_registrations(uow: UnitOfWorkFactory, identity: Identity,
                                  older_than_s: int = STALE_AFTER_S) -> int:
    """Undo registrations interrupted half-way (the caller was answered 503): both sides go."""
    removed = 0
    with uow() as tx:
        for account_id in tx.accounts.stale_registrations(older_than_s):
            identity.delete_user(account_id)
            tx.accounts.delete_registering(account_id)
            removed += 1
        tx.commit()
    if removed:
        log(logger, logging.INFO, "removed interrupted registrations", count=removed)
    return removed
