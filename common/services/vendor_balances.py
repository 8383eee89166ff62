"""A vendor's balance, derived from its ledger entries at every read (never a counter)."""

from __future__ import annotations

from common.domain.ledger import VendorBalance, vendor_balance
from common.ports.ledger import MoneyUnitOfWorkFactory


def balance_of(vendor_id: str, *, uow: MoneyUnitOfWorkFactory) -> VendorBalance:
    with uow() as tx:
        return vendor_balance(tx.ledger.vendor_sums(vendor_id))
