"""The caller's own profile: read it, and vendors update theirs."""

from __future__ import annotations

from common.domain.errors import NotFound
from common.domain.events import VendorProfileUpdated
from common.domain.identity import Account
from common.ports.unit_of_work import UnitOfWorkFactory


def get_profile(account_id: str, *, uow: UnitOfWorkFactory) -> Account:
    with uow() as tx:
        account = tx.accounts.get(account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


def update_vendor_profile(vendor_id: str, changes: dict, *, uow: UnitOfWorkFactory) -> Account:
    """Change payment methods or website; records `vendor.profile_updated`."""
    with uow() as tx:
        tx.accounts.update_vendor_profile(vendor_id, changes)
        tx.record(VendorProfileUpdated(vendor_id=vendor_id, fields=tuple(sorted(changes))))
        account = tx.accounts.get(vendor_id)
        tx.commit()
    assert account is not None  # the caller, authenticated in this request
    return account
