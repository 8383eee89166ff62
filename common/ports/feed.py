"""What the promoted feed reads and counts: active promotions with their products, and
impressions and clicks per promotion and day (common/adapters/postgres_feed.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Protocol, Sequence

from common.domain.catalog import ProductSummary
from common.domain.feed_candidates import CandidatePool
from common.domain.feed_ranking import Candidate


@dataclass(frozen=True)
class PromotedProduct:
    """An active promotion as the ranking sees it, and its product as a feed item shows it."""

    candidate: Candidate
    product: ProductSummary


@dataclass(frozen=True)
class ActivePromotions:
    """What one read of the active promotions gave; the ranking's arrays are built once."""

    offers: tuple[PromotedProduct, ...]

    @cached_property
    def pool(self) -> CandidatePool:
        return CandidatePool([offer.candidate for offer in self.offers])

    @cached_property
    def by_promotion(self) -> dict[str, PromotedProduct]:
        return {offer.candidate.promotion_id: offer for offer in self.offers}


@dataclass(frozen=True)
class Click:
    product_id: str
    at: datetime


class PromotedProducts(Protocol):
    def active(self, now: datetime) -> ActivePromotions:
        """Every promotion active at `now` (status active, now in [starts_at, ends_at),
        product listed, vendor active) with its product and counts so far, in one query."""
        ...


class PromotionCounters(Protocol):
    """Atomic increments of promotion_stats, inside the consumer's transaction."""

    def add_impressions(self, promotion_ids: Sequence[str], day: date) -> int:
        """One impression for each existing promotion named; how many were counted."""
        ...

    def add_clicks(self, clicks: Sequence[Click]) -> int:
        """One click for the promotion active on each clicked product at that time (none
        for a product that had none); how many were counted."""
        ...
