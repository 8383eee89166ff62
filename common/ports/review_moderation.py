"""The public list of a product's reviews, and the writes of votes, replies, reports and
moderation, inside one transaction (common/adapters/postgres_review_moderation.py)."""

from __future__ import annotations

from typing import Callable, Protocol

from common.domain.review_moderation import ReviewFacts, ReviewStatus
from common.domain.review_pages import ReviewKey, ReviewSort
from common.ports.reviews import ReviewsTransaction, StoredReview


class ReviewListing(Protocol):
    def product_is_public(self, product_id: str) -> bool:
        """Listed by an active vendor (what GET /v1/products/{id} shows)."""
        ...

    def page(self, product_id: str, sort: ReviewSort, after: ReviewKey | None,
             limit: int) -> list[StoredReview]:
        """Up to `limit` visible reviews of the product in `sort` order, after `after`."""
        ...


class ReviewModeration(Protocol):
    def facts(self, review_id: str) -> ReviewFacts | None: ...

    def count_helpful(self, review_id: str) -> bool:
        """helpful_count + 1 (locking the review); False unless it is visible."""
        ...

    def add_helpful_vote(self, review_id: str, voter_id: str) -> bool:
        """False if this voter marked the review already."""
        ...

    def count_report(self, review_id: str) -> bool:
        """report_count + 1 (locking the review); False unless it is visible."""
        ...

    def add_report(self, review_id: str, reporter_id: str, reason: str) -> bool:
        """False if this reporter reported the review already."""
        ...

    def add_reply(self, review_id: str, vendor_id: str, body: str) -> bool:
        """Store the reply; False if the review has one or is not visible (meanwhile)."""
        ...

    def set_status(self, review: ReviewFacts, status: ReviewStatus, reason: str) -> bool:
        """Move it to `status`; False if its status or rating changed since `review`."""
        ...


class ReviewModerationTransaction(ReviewsTransaction, Protocol):
    def __enter__(self) -> "ReviewModerationTransaction": ...

    @property
    def listing(self) -> ReviewListing: ...

    @property
    def moderation(self) -> ReviewModeration: ...


ReviewModerationUnitOfWorkFactory = Callable[[], ReviewModerationTransaction]
