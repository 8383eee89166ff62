"""Domain objects → response models of the contract."""

from __future__ import annotations

from dataclasses import asdict

from common.api import schemas as s
from common.domain.identity import Account


def account(a: Account) -> s.Account:
    return s.Account(id=a.id, name=a.name, email=a.email, role=a.role.value,
                     email_verified=a.email_verified,
                     status=a.vendor.status.value if a.vendor else None)


def me(a: Account) -> s.Me:
    vendor = None
    if a.vendor is not None:
        vendor = s.VendorDetails(status=a.vendor.status.value,
                                 business=s.Business(**asdict(a.vendor.business)),
                                 payment_methods=list(a.vendor.payment_methods),
                                 rejection_reason=a.vendor.rejection_reason)
    return s.Me(id=a.id, name=a.name, email=a.email, role=a.role.value,
                email_verified=a.email_verified, vendor=vendor)


def vendor_summary(a: Account) -> s.VendorSummary:
    assert a.vendor is not None and a.created_at is not None  # a vendor's stored account
    return s.VendorSummary(id=a.id, name=a.name, email=a.email, email_verified=a.email_verified,
                           status=a.vendor.status.value,
                           business=s.Business(**asdict(a.vendor.business)),
                           registered_at=a.created_at)
