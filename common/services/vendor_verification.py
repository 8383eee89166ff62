"""Vendor Verification: an admin verifies a vendor against the checklist, or rejects it."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from common.domain.errors import InvalidRequest, NotFound
from common.domain.events import Event
from common.domain.identity import (
    Account,
    Role,
    VendorStatus,
    check_checklist,
    check_vendor_reviewable,
)
from common.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class Review:
    vendor_id: str
    status: VendorStatus
    reviewed_at: datetime


def _locked_vendor(tx, vendor_id: str) -> Account:  # noqa: ANN001
    account = tx.accounts.get(vendor_id, for_update=True)
    if account is None or account.role is not Role.VENDOR or account.vendor is None:
        raise NotFound("No vendor has this id.")
    return account


def verify_vendor(vendor_id: str, checklist: dict[str, bool], note: str | None, *,
                  admin_id: str, uow: UnitOfWorkFactory) -> Review:
    """Pending → verified when every checklist item holds; the vendor is mailed."""
    check_checklist(checklist)
    with uow() as tx:
        vendor = _locked_vendor(tx, vendor_id)
        check_vendor_reviewable(vendor.vendor.status)
        at = tx.accounts.review_vendor(vendor_id, VendorStatus.VERIFIED, admin_id=admin_id,
                                       checklist=checklist, note=note, reason=None)
        tx.accounts.record_admin_action(admin_id, "vendor.verify", vendor_id, note)
        tx.record(Event("vendor.verified", {"vendor_id": vendor_id}))
        tx.commit()
    return Review(vendor_id, VendorStatus.VERIFIED, at)


def reject_vendor(vendor_id: str, reason: str, *, admin_id: str,
                  uow: UnitOfWorkFactory) -> Review:
    """Pending → rejected; the vendor is mailed the reason."""
    with uow() as tx:
        vendor = _locked_vendor(tx, vendor_id)
        check_vendor_reviewable(vendor.vendor.status)
        at = tx.accounts.review_vendor(vendor_id, VendorStatus.REJECTED, admin_id=admin_id,
                                       checklist=None, note=None, reason=reason)
        tx.accounts.record_admin_action(admin_id, "vendor.reject", vendor_id, reason)
        tx.record(Event("vendor.rejected", {"vendor_id": vendor_id, "reason": reason}))
        tx.commit()
    return Review(vendor_id, VendorStatus.REJECTED, at)


def list_vendors(status: VendorStatus, page_size: int, page_token: str | None, *,
                 uow: UnitOfWorkFactory) -> tuple[list[Account], str | None]:
    """A page of vendors in `status`, oldest first, and the token of the next page."""
    after = _decode_token(page_token)
    with uow() as tx:
        vendors = tx.accounts.vendors_page(status, after, page_size + 1)
    page, more = vendors[:page_size], len(vendors) > page_size
    next_token = _encode_token(page[-1]) if more else None
    return page, next_token


def _encode_token(last: Account) -> str:
    raw = json.dumps([last.created_at.isoformat(), last.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None) -> tuple[datetime, str] | None:
    if token is None:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        created_at, account_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created_at), str(uuid.UUID(account_id))
    except (ValueError, TypeError) as error:
        raise InvalidRequest(
            "The request is not valid.",
            errors=[{"field": "page_token", "message": "not a page token this API issued"}],
        ) from error
