"""The unit of work of reviews: the common one (accounts, catalog, inbox, outbox) plus
`reviews`, the reviews and rating summaries (common/adapters/postgres_reviews.py)."""

from __future__ import annotations

from common.adapters.postgres_reviews import PostgresReviews
from common.adapters.unit_of_work import UnitOfWork


class ReviewsUnitOfWork(UnitOfWork):
    def __enter__(self) -> "ReviewsUnitOfWork":
        super().__enter__()
        self.reviews = PostgresReviews(self.connection)
        return self
