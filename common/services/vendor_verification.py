"""Vendor Verification: an admin verifies a vendor against the checklist, or rejects it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common.domain import page_tokens
from common.domain.errors import NotFound
from common.domain.events import VendorRejected, VendorVerified
from common.domain.identity import (
    Account,
    Role,
    VendorProfile,
    VendorStatus,
    check_checklist,
    check_vendor_reviewable,
)
from common.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Review:
    vendor_id: str
    status: VendorStatus
    reviewed_at: datetime


def _locked_vendor(tx: UnitOfWork, vendor_id: str) -> VendorProfile:
    account = tx.accounts.get(vendor_id, for_update=True)
    if account is None or account.role is not Role.VENDOR or account.vendor is None:
        raise NotFound("No vendor has this id.")
    return account.vendor


def verify_vendor(vendor_id: str, checklist: dict[str, bool], note: str | None, *,
                  admin_id: str, uow: UnitOfWorkFactory) -> Review:
    """Pending → verified when every checklist item holds; the vendor is mailed."""
    check_checklist(checklist)
    with uow() as tx:
        check_vendor_reviewable(_locked_vendor(tx, vendor_id).status)
        at = tx.accounts.review_vendor(vendor_id, VendorStatus.VERIFIED, admin_id=admin_id,
                                       checklist=checklist, note=note, reason=None)
        tx.accounts.record_admin_action(admin_id, "vendor.verify", vendor_id, note)
        tx.record(VendorVerified(vendor_id=vendor_id))
        tx.commit()
    return Review(vendor_id, VendorStatus.VERIFIED, at)


def reject_vendor(vendor_id: str, reason: str, *, admin_id: str,
                  uow: UnitOfWorkFactory) -> Review:
    """Pending → rejected; the vendor is mailed the reason."""
    with uow() as tx:
        check_vendor_reviewable(_locked_vendor(tx, vendor_id).status)
        at = tx.accounts.review_vendor(vendor_id, VendorStatus.REJECTED, admin_id=admin_id,
                                       checklist=None, note=None, reason=reason)
        tx.accounts.record_admin_action(admin_id, "vendor.reject", vendor_id, reason)
        tx.record(VendorRejected(vendor_id=vendor_id, reason=reason))
        tx.commit()
    return Review(vendor_id, VendorStatus.REJECTED, at)


def list_vendors(status: VendorStatus, page_size: int, page_token: str | None, *,
                 uow: UnitOfWorkFactory, token_key: bytes) -> tuple[list[Account], str | None]:
    """A page of vendors in `status`, oldest first, and the token of the next page.

    Raises InvalidRequest (field page_token) for a token not issued for this list."""
    after = None
    if page_token is not None:
        after = page_tokens.vendor_cursor(page_token, status.value, token_key)
    with uow() as tx:
        vendors = tx.accounts.vendors_page(status, after, page_size + 1)
    page, more = vendors[:page_size], len(vendors) > page_size
    next_token = None
    if more and page[-1].created_at is not None:
        next_token = page_tokens.vendor_token(page[-1].created_at, page[-1].id, status.value,
                                              token_key)
    return page, next_token

