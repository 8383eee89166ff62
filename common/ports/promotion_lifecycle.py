"""What moves promotions on, inside one transaction
(common/adapters/postgres_promotion_lifecycle.py): the ones due by the clock, the running
ones of a product or a vendor, and a vendor's list with its counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from common.domain.promotions import Promotion
from common.ports.promotions import PromotionsUnitOfWork


@dataclass(frozen=True)
class DuePromotion:
    """A promotion whose start or end passed, with what activating it depends on."""

    promotion: Promotion
    product_listed: bool
    vendor_active: bool


@dataclass(frozen=True)
class VendorPromotion:
    """One of a vendor's promotions with its impressions and clicks so far (promotion_stats)."""

    promotion: Promotion
    impressions: int
    clicks: int


class PromotionLifecycle(Protocol):
    def claim_due(self, now: datetime, limit: int) -> list[DuePromotion]:
        """Scheduled ones whose start passed and active ones whose end passed, locked
        (SKIP LOCKED: one another transaction holds is left for the next run)."""
        ...

    def lock_running_of_product(self, product_id: str) -> list[str]:
        """The ids of the product's scheduled and active promotions, locked in key order."""
        ...

    def lock_running_of_vendor(self, vendor_id: str) -> list[str]:
        """The ids of the vendor's scheduled and active promotions, locked in key order."""
        ...

    def activate(self, promotion_id: str) -> bool:
        """Scheduled → active; False if it was not scheduled."""
        ...

    def of_vendor(self, vendor_id: str, limit: int) -> list[VendorPromotion]:
        """The vendor's promotions, newest first, with their counters."""
        ...


class PromotionLifecycleUnitOfWork(PromotionsUnitOfWork, Protocol):
    def __enter__(self) -> "PromotionLifecycleUnitOfWork": ...

    @property
    def lifecycle(self) -> PromotionLifecycle: ...


PromotionLifecycleUnitOfWorkFactory = Callable[[], PromotionLifecycleUnitOfWork]
