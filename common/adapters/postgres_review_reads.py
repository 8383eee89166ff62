"""PostgresReviewListing: a product's visible reviews, newest or most helpful first, by
keyset (the partial indexes reviews_newest and reviews_helpful of migration 0011)."""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import text

from common.adapters.postgres_reviews import review_from
from common.domain.review_pages import ReviewKey, ReviewSort
from common.ports.reviews import StoredReview

_SELECT = """
    SELECT r.id, r.product_id, r.rating, r.title, r.body, r.created_at, r.edited_at,
           r.helpful_count, r.author_id, a.name AS author_name, r.reply_body, r.replied_at
    FROM reviews r JOIN accounts a ON a.id = r.author_id
    WHERE r.product_id = :product AND r.status = 'visible'
"""
# Each sort's ORDER BY and the row comparison that starts strictly after the cursor (every
# key descending, so one row-value `<` is the whole keyset condition).
_ORDER = {
    ReviewSort.NEWEST: ("r.created_at DESC, r.id DESC",
                        "(r.created_at, r.id) < (:at, CAST(:after AS uuid))"),
    ReviewSort.HELPFUL: ("r.helpful_count DESC, r.created_at DESC, r.id DESC",
                         "(r.helpful_count, r.created_at, r.id) < (:helpful, :at, "
                         "CAST(:after AS uuid))"),
}


class PostgresReviewListing:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def product_is_public(self, product_id: str) -> bool:
        return self._db.execute(text(
            "SELECT 1 FROM products p JOIN accounts a ON a.id = p.vendor_id "
            "WHERE p.id = :id AND p.status = 'listed' AND a.state = 'active'"),
            {"id": product_id}).first() is not None

    def page(self, product_id: str, sort: ReviewSort, after: ReviewKey | None,
             limit: int) -> list[StoredReview]:
        order_by, after_cursor = _ORDER[sort]
        params: dict[str, Any] = {"product": product_id, "limit": limit}
        cursor = ""
        if after is not None:
            cursor = f" AND {after_cursor}"
            params.update(at=after.created_at, after=after.id, helpful=after.helpful_count)
        rows = self._db.execute(text(f"{_SELECT}{cursor} ORDER BY {order_by} LIMIT :limit"),
                                params)
        return [review_from(row) for row in rows]
