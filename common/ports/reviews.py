"""Reviews in the system of record and each product's rating summary, inside one
transaction (common/adapters/postgres_reviews.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ContextManager, Mapping, Protocol

from common.domain.events import Event
from common.domain.reviews import AuthoredReview, Purchase, RatingSummary, ReviewDraft
from common.ports.catalog import Catalog
from common.ports.identity import Accounts


@dataclass(frozen=True)
class StoredReview:
    """A review as the API returns it (the author's first name; the vendor's reply)."""

    id: str
    product_id: str
    rating: int
    title: str
    text: str
    created_at: datetime
    edited_at: datetime | None
    helpful_count: int
    author_id: str
    author_name: str
    reply_text: str | None = None
    replied_at: datetime | None = None


@dataclass(frozen=True)
class ReviewedProduct:
    """The product a review is about: its vendor (events carry it)."""

    id: str
    vendor_id: str


class ReviewStore(Protocol):
    def product(self, product_id: str) -> ReviewedProduct | None: ...

    def purchases(self, buyer_id: str, product_id: str) -> list[Purchase]:
        """The buyer's order lines of the product, newest order first."""
        ...

    def add(self, review_id: str, product_id: str, author_id: str, order_line_id: str,
            draft: ReviewDraft) -> bool:
        """Insert the review; False when the author reviewed the product already."""
        ...

    def authored(self, review_id: str, product_id: str) -> AuthoredReview | None:
        """The review of this product, as edit and delete decide on it."""
        ...

    def rewrite(self, review: AuthoredReview, draft: ReviewDraft) -> bool:
        """Store the new rating, title and text; False if the review changed meanwhile
        (its rating or visibility no longer those of `review`) or is gone."""
        ...

    def remove(self, review: AuthoredReview) -> bool:
        """Delete it (votes and reports go with it); False if it changed meanwhile."""
        ...

    def get(self, review_id: str) -> StoredReview | None: ...

    def change_stars(self, product_id: str, changes: Mapping[int, int]) -> None:
        """Apply {stars: ±n} to the product's summary, atomically per count."""
        ...

    def summary(self, product_id: str) -> RatingSummary: ...


class ReviewsTransaction(ContextManager["ReviewsTransaction"], Protocol):
    @property
    def reviews(self) -> ReviewStore: ...

    @property
    def accounts(self) -> Accounts: ...

    @property
    def catalog(self) -> Catalog: ...

    def record(self, *events: Event) -> None: ...

    def commit(self) -> None: ...


ReviewsUnitOfWorkFactory = Callable[[], ReviewsTransaction]
