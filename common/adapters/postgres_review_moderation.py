"""PostgresReviewModeration: helpful votes, reports, the vendor's reply and an admin's hide
or restore of a review, and the unit of work that holds them with PostgresReviews.

No review row is read under a lock: each write is conditional (a visible review, no reply
yet, the status and rating decided on) and its first statement is the UPDATE of the
review row, so the row stays locked until commit and a concurrent delete cannot slip in
before the vote's or report's row (whose foreign key it would break).
"""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text

from common.adapters.postgres_review_reads import PostgresReviewListing
from common.adapters.reviews_unit_of_work import ReviewsUnitOfWork
from common.domain.review_moderation import ReviewFacts, ReviewStatus

_VISIBLE = "id = :id AND status = 'visible'"


class PostgresReviewModeration:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def facts(self, review_id: str) -> ReviewFacts | None:
        row = self._db.execute(text(
            "SELECT r.id, r.product_id, p.vendor_id, r.author_id, r.rating, r.status, "
            "r.reply_body IS NOT NULL AS replied FROM reviews r "
            "JOIN products p ON p.id = r.product_id WHERE r.id = :id"), {"id": review_id}).first()
        if row is None:
            return None
        return ReviewFacts(str(row.id), str(row.product_id), str(row.vendor_id),
                           str(row.author_id), row.rating, ReviewStatus(row.status), row.replied)

    def count_helpful(self, review_id: str) -> bool:
        return self._changed(f"UPDATE reviews SET helpful_count = helpful_count + 1 "
                             f"WHERE {_VISIBLE}", id=review_id)

    def add_helpful_vote(self, review_id: str, voter_id: str) -> bool:
        return self._changed("INSERT INTO review_helpful_votes (review_id, voter_id) "
                             "VALUES (:id, :voter) ON CONFLICT DO NOTHING",
                             id=review_id, voter=voter_id)

    def count_report(self, review_id: str) -> bool:
        return self._changed(f"UPDATE reviews SET report_count = report_count + 1 "
                             f"WHERE {_VISIBLE}", id=review_id)

    def add_report(self, review_id: str, reporter_id: str, reason: str) -> bool:
        return self._changed("INSERT INTO review_reports (review_id, reporter_id, reason) "
                             "VALUES (:id, :reporter, :reason) ON CONFLICT DO NOTHING",
                             id=review_id, reporter=reporter_id, reason=reason)

    def add_reply(self, review_id: str, vendor_id: str, body: str) -> bool:
        return self._changed("UPDATE reviews SET reply_body = :body, reply_author_id = :vendor, "
                             f"replied_at = now() WHERE {_VISIBLE} AND reply_body IS NULL",
                             id=review_id, vendor=vendor_id, body=body)

    def set_status(self, review: ReviewFacts, status: ReviewStatus, reason: str) -> bool:
        hidden_reason = reason if status is ReviewStatus.HIDDEN else None
        return self._changed("UPDATE reviews SET status = :status, hidden_reason = :reason "
                             "WHERE id = :id AND status = :was AND rating = :rating",
                             id=review.id, status=status.value, reason=hidden_reason,
                             was=review.status.value, rating=review.rating)

    def _changed(self, statement: str, **params: object) -> bool:
        return self._db.execute(text(statement), params).rowcount == 1


class ReviewModerationUnitOfWork(ReviewsUnitOfWork):
    """Reviews' unit of work with `listing` and `moderation` besides `reviews`."""

    def __enter__(self) -> "ReviewModerationUnitOfWork":
        super().__enter__()
        self.listing = PostgresReviewListing(self.connection)
        self.moderation = PostgresReviewModeration(self.connection)
        return self
