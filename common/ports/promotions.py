"""Promotions inside one transaction (common/adapters/postgres_promotions.py): the product a
promotion is for, the promotions themselves, the vendor's saved card, and the payable of
its parts not yet transferred, which a fee paid from the balance is taken from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from common.domain.promotions import Promotion, PromotionStatus, Schedule
from common.ports.ledger import MoneyUnitOfWork


@dataclass(frozen=True)
class PromotedProduct:
    """What a promotion checks of its product."""

    id: str
    vendor_id: str
    category_id: str
    listed: bool


@dataclass(frozen=True)
class SavedCard:
    """A vendor's card at the provider for off-session promotion fees."""

    vendor_id: str
    customer_ref: str
    payment_method_ref: str
    setup_ref: str
    ready: bool


class Promotions(Protocol):
    def product(self, product_id: str) -> PromotedProduct | None: ...

    def overlapping(self, product_id: str, schedule: Schedule) -> bool:
        """Whether a scheduled or active promotion of the product overlaps the schedule."""
        ...

    def add(self, promotion: Promotion, *, idempotency_key: str, request_hash: str) -> bool:
        """Store a new promotion; False if the vendor's key has one already;
        PromotionOverlaps if another one of the product overlaps it."""
        ...

    def for_key(self, vendor_id: str, idempotency_key: str) -> tuple[Promotion, str] | None:
        """The vendor's promotion made with this key and the hash of what it asked."""
        ...

    def get(self, promotion_id: str, *, for_update: bool = False) -> Promotion | None: ...

    def end(self, promotion_id: str, *, status: PromotionStatus, refunded: int,
            at: datetime, reason: str) -> None:
        """Mark it ended or cancelled at `at`, with what was refunded in all."""
        ...

    def card_refunds_owed(self, limit: int) -> list[Promotion]:
        """Card-paid promotions whose refund is recorded but not yet made at the provider."""
        ...

    def refund_made(self, promotion_id: str, refund_ref: str) -> None: ...

    def unsent_payables(self, vendor_id: str) -> dict[str, int]:
        """The payable of each of the vendor's parts not yet transferred, locked (in key
        order) so that no transfer claims them meanwhile."""
        ...

    def fee_parts(self, promotion_id: str) -> dict[str, int]:
        """What a balance-paid fee took from each part (its journal's entries)."""
        ...

    def card(self, vendor_id: str) -> SavedCard | None: ...

    def save_card(self, card: SavedCard) -> None:
        """Store the vendor's card, replacing an earlier one."""
        ...


class PromotionsUnitOfWork(MoneyUnitOfWork, Protocol):
    def __enter__(self) -> "PromotionsUnitOfWork": ...

    @property
    def promotions(self) -> Promotions: ...


PromotionsUnitOfWorkFactory = Callable[[], PromotionsUnitOfWork]
