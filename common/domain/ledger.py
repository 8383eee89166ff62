"""The double-entry ledger: what each business fact posts, and the balances derived from it.

Plain values only. An entry's amount is signed integer minor units: positive debits the
account, negative credits it; the entries of a journal sum to zero (`Journal` refuses one
that does not, and so does a deferred constraint trigger in the database). Nothing is ever
updated or deleted: a correction is another journal. Each journal carries an idempotency
key derived from the fact (`sale:{order_id}`, `refund:{refund_id}`, `transfer:{part_id}`,
`reversal:{refund_key}:{part_id}`), so it is posted exactly once.

Accounts (docs/decisions/0015-ledger-commission-and-payouts.md):
- `customer_funds` (platform): the buyers' money the platform holds at the provider.
- `platform_commission` (platform): the commission the platform earned, net of returns.
- `vendor_sales` (per vendor): gross sales, credited.
- `vendor_commission` (per vendor): commission charged to the vendor, net of returns.
- `vendor_refunds` (per vendor): what was refunded to the vendor's buyers.
- `vendor_transferred` (per vendor): what reached its connected account, net of reversals.
- `vendor_promotions` (per vendor): promotion fees paid from its payable, net of refunds.
- `platform_promotions` (platform): promotion fees the platform earned, net of refunds.
- `promotion_card_funds` (platform): promotion fees charged to vendors' cards, held at the
  provider, net of refunds (docs/decisions/0021-promotions.md).
What the platform owes a vendor (payable) is minus the sum of that vendor's accounts.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CURRENCY = "EUR"


class Account(str, enum.Enum):
    CUSTOMER_FUNDS = "customer_funds"
    PLATFORM_COMMISSION = "platform_commission"
    VENDOR_SALES = "vendor_sales"
    VENDOR_COMMISSION = "vendor_commission"
    VENDOR_REFUNDS = "vendor_refunds"
    VENDOR_TRANSFERRED = "vendor_transferred"
    VENDOR_PROMOTIONS = "vendor_promotions"
    PLATFORM_PROMOTIONS = "platform_promotions"
    PROMOTION_CARD_FUNDS = "promotion_card_funds"


VENDOR_ACCOUNTS = frozenset({Account.VENDOR_SALES, Account.VENDOR_COMMISSION,
                             Account.VENDOR_REFUNDS, Account.VENDOR_TRANSFERRED,
                             Account.VENDOR_PROMOTIONS})


class JournalKind(str, enum.Enum):
    SALE = "sale"
    REFUND = "refund"
    TRANSFER = "transfer"
    REVERSAL = "reversal"
    PROMOTION_FEE = "promotion_fee"
    PROMOTION_REFUND = "promotion_refund"


class UnbalancedJournal(ValueError):
    """A journal whose entries do not sum to zero (a bug: it must never be written)."""


@dataclass(frozen=True)
class Entry:
    account: Account
    amount: int  # > 0 debit, < 0 credit; never 0
    vendor_id: str | None = None
    part_id: str | None = None


@dataclass(frozen=True)
class Journal:
    """Entries posted together, once per `key`; ValueError unless they balance."""

    key: str
    kind: JournalKind
    order_id: str | None
    vendor_id: str | None
    entries: tuple[Entry, ...]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if len(self.entries) < 2:
            raise UnbalancedJournal(f"journal {self.key} needs at least two entries")
        if any(entry.amount == 0 for entry in self.entries):
            raise UnbalancedJournal(f"journal {self.key} has an entry of zero")
        if sum(entry.amount for entry in self.entries) != 0:
            raise UnbalancedJournal(f"journal {self.key} does not balance")
        for entry in self.entries:
            if (entry.account in VENDOR_ACCOUNTS) != (entry.vendor_id is not None):
                raise UnbalancedJournal(f"journal {self.key}: {entry.account.value} and vendor")


@dataclass(frozen=True)
class PartSale:
    """One vendor's part of a paid order: its subtotal and the commission on its lines."""

    part_id: str
    vendor_id: str
    subtotal: int
    commission: int


@dataclass(frozen=True)
class PartRefund:
    """What one refund gives back for a part: `amount` to the buyer, of which
    `commission_returned` comes out of the platform's commission, the rest out of the vendor's."""

    part_id: str
    vendor_id: str
    amount: int
    commission_returned: int


def _pair(debit: Account, credit: Account, amount: int, part: PartSale | PartRefund,
          ) -> list[Entry]:
    """Debit one account and credit another by `amount` (nothing for zero)."""
    if amount == 0:
        return []
    return [_entry(debit, amount, part), _entry(credit, -amount, part)]


def _entry(account: Account, amount: int, part: PartSale | PartRefund) -> Entry:
    vendor = part.vendor_id if account in VENDOR_ACCOUNTS else None
    return Entry(account, amount, vendor, part.part_id)


def sale_journal(order_id: str, parts: Iterable[PartSale]) -> Journal:
    """On `order.paid`: per part, the buyer's money is held for the vendor's gross sales,
    and the commission moves from the vendor to the platform."""
    entries: list[Entry] = []
    for part in parts:
        if not 0 <= part.commission <= part.subtotal:
            raise ValueError(f"part {part.part_id}: commission outside 0..subtotal")
        entries += _pair(Account.CUSTOMER_FUNDS, Account.VENDOR_SALES, part.subtotal, part)
        entries += _pair(Account.VENDOR_COMMISSION, Account.PLATFORM_COMMISSION,
                         part.commission, part)
    return Journal(f"sale:{order_id}", JournalKind.SALE, order_id, None, tuple(entries))


def refund_journal(key: str, order_id: str, parts: Iterable[PartRefund]) -> Journal | None:
    """On `order.refunded` / `order.cancelled`: the buyer's money leaves, the vendor bears
    the refund, and the platform returns the commission pro rata. None if nothing moved."""
    entries: list[Entry] = []
    for part in parts:
        if not 0 <= part.commission_returned <= part.amount:
            raise ValueError(f"part {part.part_id}: commission returned outside 0..amount")
        entries += _pair(Account.VENDOR_REFUNDS, Account.CUSTOMER_FUNDS, part.amount, part)
        entries += _pair(Account.PLATFORM_COMMISSION, Account.VENDOR_COMMISSION,
                         part.commission_returned, part)
    if not entries:
        return None
    return Journal(f"refund:{key}", JournalKind.REFUND, order_id, None, tuple(entries))


def transfer_journal(order_id: str, part_id: str, vendor_id: str, amount: int) -> Journal:
    """A transfer to the vendor's connected account: money leaves the platform."""
    part = PartSale(part_id, vendor_id, 0, 0)
    entries = _pair(Account.VENDOR_TRANSFERRED, Account.CUSTOMER_FUNDS, amount, part)
    return Journal(f"transfer:{part_id}", JournalKind.TRANSFER, order_id, vendor_id,
                   tuple(entries))


def reversal_journal(refund_key: str, order_id: str, part_id: str, vendor_id: str,
                     amount: int) -> Journal:
    """A transfer reversed (after a refund): money comes back from the connected account."""
    part = PartSale(part_id, vendor_id, 0, 0)
    entries = _pair(Account.CUSTOMER_FUNDS, Account.VENDOR_TRANSFERRED, amount, part)
    return Journal(f"reversal:{refund_key}:{part_id}", JournalKind.REVERSAL, order_id,
                   vendor_id, tuple(entries))


@dataclass(frozen=True)
class VendorBalance:
    """GET /v1/vendors/me/balance: every figure a sum over the vendor's ledger accounts."""

    sales: int
    commission: int
    refunds: int
    transferred: int
    currency: str = CURRENCY
    promotions: int = 0

    @property
    def payable(self) -> int:
        """What the platform holds for the vendor: its share of sales not yet transferred,
        less the promotion fees paid from it."""
        return (self.sales - self.commission - self.refunds - self.transferred
                - self.promotions)


def vendor_balance(sums: Mapping[Account, int]) -> VendorBalance:
    """The balance from the sums of one vendor's entries per account (credits negative)."""
    return VendorBalance(sales=-sums.get(Account.VENDOR_SALES, 0),
                         commission=sums.get(Account.VENDOR_COMMISSION, 0),
                         refunds=sums.get(Account.VENDOR_REFUNDS, 0),
                         transferred=sums.get(Account.VENDOR_TRANSFERRED, 0),
                         promotions=sums.get(Account.VENDOR_PROMOTIONS, 0))


def payable_of(sums: Mapping[Account, int]) -> int:
    """What is owed for the entries summed (a vendor's, or one part's): minus their sum."""
    return -sum(amount for account, amount in sums.items() if account in VENDOR_ACCOUNTS)



def promotion_fee_journal(promotion_id: str, vendor_id: str, fee: int,
                          from_parts: Mapping[str, int] | None) -> Journal:
    """A promotion's fee as platform revenue: taken from the vendor's payable on the parts
    not yet transferred (`from_parts`: part id → amount), or, paid by card (None), cash in."""
    entries: tuple[Entry, ...]
    if from_parts is None:
        entries = (Entry(Account.PROMOTION_CARD_FUNDS, fee),
                   Entry(Account.PLATFORM_PROMOTIONS, -fee))
    else:
        if sum(from_parts.values()) != fee:
            raise ValueError(f"promotion {promotion_id}: the parts do not cover the fee")
        entries = tuple(Entry(Account.VENDOR_PROMOTIONS, amount, vendor_id, part_id)
                        for part_id, amount in sorted(from_parts.items())
                        ) + (Entry(Account.PLATFORM_PROMOTIONS, -fee),)
    return Journal(f"promotion:{promotion_id}", JournalKind.PROMOTION_FEE, None, vendor_id,
                   entries)


def promotion_refund_journal(promotion_id: str, vendor_id: str, amount: int,
                             to_parts: Mapping[str, int] | None) -> Journal:
    """Unused promotion days given back where the fee came from: the payable of those parts,
    or (None) the card, refunded at the provider."""
    entries: tuple[Entry, ...]
    if to_parts is None:
        entries = (Entry(Account.PLATFORM_PROMOTIONS, amount),
                   Entry(Account.PROMOTION_CARD_FUNDS, -amount))
    else:
        if sum(to_parts.values()) != amount:
            raise ValueError(f"promotion {promotion_id}: the parts do not add up to the refund")
        entries = (Entry(Account.PLATFORM_PROMOTIONS, amount),) + tuple(
            Entry(Account.VENDOR_PROMOTIONS, -share, vendor_id, part_id)
            for part_id, share in sorted(to_parts.items()))
    return Journal(f"promotion_refund:{promotion_id}", JournalKind.PROMOTION_REFUND, None,
                   vendor_id, entries)
