"""Vendors' money after a sale: held until the part is delivered, then owed and transferred
to the vendor's connected account once that account is active; taken back pro rata when the
buyer is refunded. Plain values: the use cases (common/services/vendor_payouts.py) load
them, and the amounts come from the ledger (common/domain/ledger.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.domain.payments import VendorAccountStatus

# An attempt at the provider that has not finished after this long was interrupted (a
# crash): it may be retried, with the same idempotency key and the same amount.
STALE_ATTEMPT = timedelta(minutes=5)


class TransferStatus(str, enum.Enum):
    HELD = "held"  # sold; the platform holds the money until the part is delivered
    PENDING = "pending"  # delivered: owed, waiting for an active account or an attempt
    MADE = "made"
    REVERSED = "reversed"
    PARTIALLY_REVERSED = "partially_reversed"
    CANCELLED = "cancelled"  # refunded before anything was transferred: nothing to send


SENT = frozenset({TransferStatus.MADE, TransferStatus.REVERSED,
                  TransferStatus.PARTIALLY_REVERSED})


@dataclass(frozen=True)
class VendorTransfer:
    """The vendor's share of one paid part, on its way to the connected account."""

    part_id: str
    order_id: str
    vendor_id: str
    amount: int
    status: TransferStatus
    provider_transfer_ref: str | None = None
    amount_reversed: int = 0
    sent_at: datetime | None = None

    @property
    def in_flight(self) -> bool:
        """An attempt started: its amount is fixed and may reach the vendor any moment."""
        return self.status is TransferStatus.PENDING and self.sent_at is not None

    def claimable(self, now: datetime) -> bool:
        """Owed and no attempt running (none started, or one interrupted long ago)."""
        return self.status is TransferStatus.PENDING and (
            self.sent_at is None or now - self.sent_at >= STALE_ATTEMPT)

    @property
    def idempotency_key(self) -> str:
        return f"transfer-{self.part_id}"


@dataclass(frozen=True)
class PaymentAccount:
    """A vendor's connected account as we last heard of it."""

    vendor_id: str
    provider_account_ref: str
    status: VendorAccountStatus
    payouts_enabled: bool

    @property
    def can_receive(self) -> bool:
        return self.status is VendorAccountStatus.ACTIVE


@dataclass(frozen=True)
class OwedReversal:
    """Part of a transfer to take back after a refund (`refund_key`: the refund's id)."""

    refund_key: str
    part_id: str
    amount: int

    @property
    def idempotency_key(self) -> str:
        return f"reversal-{self.refund_key}-{self.part_id}"


def amount_to_send(transfer: VendorTransfer, part_payable: int) -> int | None:
    """What a fresh attempt sends: the part's payable now (after refunds), or, for an
    interrupted attempt, exactly what it sent (the provider key binds the amount)."""
    if transfer.sent_at is not None:
        return transfer.amount
    return part_payable if part_payable > 0 else None


def reversal_for_refund(transfer: VendorTransfer | None, vendor_share: int,
                        already_owed: int) -> int:
    """How much of the part's transfer a refund takes back: nothing unless an attempt has
    started (before that, the ledger lowers what will be sent); the vendor's share of the
    refund, never more than what is still transferred or on its way."""
    if transfer is None or not (transfer.status in SENT or transfer.in_flight):
        return 0
    return max(0, min(vendor_share, transfer.amount - already_owed))


def status_after_reversal(transfer: VendorTransfer, reversed_total: int) -> TransferStatus:
    return (TransferStatus.REVERSED if reversed_total >= transfer.amount
            else TransferStatus.PARTIALLY_REVERSED)
