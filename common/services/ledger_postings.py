"""Ledger postings as event consumers: a sale on `order.paid`, a refund on `order.refunded`
and `order.cancelled` (with the transfer reversals a refund makes owed). Each journal is
posted once per idempotency key, in the consumer's transaction (its inbox row commits
with it)."""

from __future__ import annotations

import logging
from typing import Iterable

from common.domain.events import OrderCancelled, OrderPaid, OrderRefunded
from common.domain.ledger import PartRefund, PartSale, refund_journal, sale_journal
from common.domain.payouts import OwedReversal, TransferStatus, VendorTransfer, reversal_for_refund
from common.logs import log
from common.ports.ledger import MoneyUnitOfWork

logger = logging.getLogger("bazaar.ledger")


def post_sale(event: OrderPaid, tx: MoneyUnitOfWork) -> bool:
    """The sale journal of a paid order, and each vendor's share held until delivery;
    False when it was posted already (a second `order.paid` of the same order)."""
    parts = [PartSale(p.part_id, p.vendor_id, p.subtotal, p.commission) for p in event.parts]
    posted = tx.ledger.post(sale_journal(event.order_id, parts))
    tx.transfers.hold([VendorTransfer(p.part_id, event.order_id, p.vendor_id,
                                      p.subtotal - p.commission, TransferStatus.HELD)
                       for p in parts])
    log(logger, logging.INFO, "sale posted", order_id=event.order_id, parts=len(parts),
        duplicate=not posted)
    return posted


def refund_key(event: OrderRefunded | OrderCancelled) -> str:
    """The refund's own id, or for a cancellation without one the order's."""
    return event.refund_id or f"cancel-{event.order_id}"


def post_refund(event: OrderRefunded | OrderCancelled, tx: MoneyUnitOfWork) -> list[str]:
    """The refund journal; for each part whose transfer has started, the share of it to
    take back (recorded as owed, made after commit). Returns those parts' ids."""
    parts = [PartRefund(p.part_id, p.vendor_id, p.amount, p.commission_returned)
             for p in event.parts]
    key = refund_key(event)
    journal = refund_journal(key, event.order_id, parts)
    if journal is None:
        return []
    # Under the transfers' row locks, so a transfer starting now sees this refund or is seen.
    transfers = tx.transfers.lock_all(sorted({part.part_id for part in parts}))
    if not tx.ledger.post(journal):
        return []
    owed = _owe_reversals(key, parts, transfers, tx)
    log(logger, logging.INFO, "refund posted", order_id=event.order_id, refund_key=key,
        reversals_owed=len(owed))
    return owed


def _owe_reversals(key: str, parts: Iterable[PartRefund],
                   transfers: dict[str, VendorTransfer], tx: MoneyUnitOfWork) -> list[str]:
    owed = []
    for part in parts:
        amount = reversal_for_refund(transfers.get(part.part_id),
                                     part.amount - part.commission_returned,
                                     tx.transfers.reversals_owed(part.part_id))
        if amount > 0 and tx.transfers.owe_reversal(OwedReversal(key, part.part_id, amount)):
            owed.append(part.part_id)
    return owed
