"""The money side of an order, inside one transaction: the ledger, vendors' transfers and
connected accounts, and the parts that ship and are delivered
(common/adapters/postgres_ledger.py, postgres_payouts.py, postgres_fulfilment.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol, Sequence

from common.domain.fulfilment import FulfilmentOrder, Part
from common.domain.ledger import Account, Journal
from common.domain.payouts import OwedReversal, PaymentAccount, TransferStatus, VendorTransfer
from common.ports.unit_of_work import UnitOfWork


class Ledger(Protocol):
    def post(self, journal: Journal) -> bool:
        """Write the journal and its entries once per key; False if it was posted already."""
        ...

    def has_journal(self, key: str) -> bool: ...

    def vendor_sums(self, vendor_id: str) -> dict[Account, int]:
        """The sum of the vendor's entries per account."""
        ...

    def part_sums(self, part_id: str) -> dict[Account, int]:
        """The sum of one part's vendor entries per account."""
        ...


class VendorTransfers(Protocol):
    def hold(self, transfers: Sequence[VendorTransfer]) -> None:
        """Record each part's share as held (once per part)."""
        ...

    def get(self, part_id: str, *, for_update: bool = False) -> VendorTransfer | None: ...

    def lock_all(self, part_ids: Sequence[str]) -> dict[str, VendorTransfer]:
        """Lock these parts' transfers (in key order); the ones that exist."""
        ...

    def update(self, part_id: str, *, status: TransferStatus, amount: int | None = None,
               sent_at: datetime | None = None, provider_transfer_ref: str | None = None,
               amount_reversed: int | None = None) -> None: ...

    def owed_parts(self, limit: int) -> list[str]:
        """Parts whose transfer is pending and whose vendor's account is active."""
        ...

    def owe_reversal(self, reversal: OwedReversal) -> bool:
        """Record that a refund takes back part of a transfer (once per refund and part)."""
        ...

    def reversals_owed(self, part_id: str) -> int:
        """The sum of every reversal recorded for the part, made or not."""
        ...

    def pending_reversals(self, part_id: str) -> list[OwedReversal]: ...

    def parts_with_pending_reversals(self, limit: int) -> list[str]: ...

    def reversal_made(self, reversal: OwedReversal, provider_reversal_ref: str) -> bool:
        """Mark a pending reversal made; False if it was already."""
        ...

    def payment_ref(self, order_id: str) -> str | None:
        """The provider's payment of the order (a transfer's source)."""
        ...


class PaymentAccounts(Protocol):
    def get(self, vendor_id: str) -> PaymentAccount | None: ...

    def add(self, account: PaymentAccount) -> bool:
        """Store the vendor's connected account; False if it has one already."""
        ...

    def set_status(self, provider_account_ref: str, account: PaymentAccount) -> bool:
        """Store what the provider says now; True if the status changed."""
        ...

    def by_ref(self, provider_account_ref: str) -> PaymentAccount | None: ...

    def vendor_country(self, vendor_id: str) -> str | None: ...

    def refs_to_refresh(self, limit: int) -> list[str]:
        """Accounts the provider reported changes of (unprocessed events), and accounts not
        yet active that vendors' money waits for."""
        ...

    def mark_account_events_processed(self, provider_account_ref: str) -> None: ...


class Fulfilment(Protocol):
    def order(self, order_id: str, *, for_update: bool = False) -> FulfilmentOrder | None: ...

    def save(self, order: FulfilmentOrder, changed: Sequence[Part], step: str) -> None:
        """Write the changed parts, the order's status and a step per changed part."""
        ...

    def overdue_orders(self, shipped_before: datetime, limit: int) -> list[str]:
        """Orders with a part shipped before this time and not yet delivered."""
        ...

    def now(self) -> datetime: ...


class MoneyUnitOfWork(UnitOfWork, Protocol):
    def __enter__(self) -> "MoneyUnitOfWork": ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def transfers(self) -> VendorTransfers: ...

    @property
    def payment_accounts(self) -> PaymentAccounts: ...

    @property
    def fulfilment(self) -> Fulfilment: ...


MoneyUnitOfWorkFactory = Callable[[], MoneyUnitOfWork]
