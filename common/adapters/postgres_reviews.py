"""PostgresReviews: reviews and the rating summaries of products, inside a unit of work.

No review row is locked: an edit or delete changes the row only if its rating and status
are still those it decided on (compare-and-set; a concurrent admin hide makes it 0 rows),
and the summary moves by atomic `stars_N = stars_N ± n` statements, so concurrent reviews
of one product never lose a count (the summary row is their only shared row).
"""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy
from sqlalchemy import text

from common.domain.reviews import STARS, AuthoredReview, Purchase, RatingSummary, ReviewDraft
from common.ports.reviews import ReviewedProduct, StoredReview

_REVIEW = """
    SELECT r.id, r.product_id, r.rating, r.title, r.body, r.created_at, r.edited_at,
           r.helpful_count, r.author_id, a.name AS author_name, r.reply_body, r.replied_at
    FROM reviews r JOIN accounts a ON a.id = r.author_id
"""
_STARS = ", ".join(f"stars_{star}" for star in STARS)


def review_from(row: Any) -> StoredReview:
    return StoredReview(
        id=str(row.id), product_id=str(row.product_id), rating=row.rating, title=row.title,
        text=row.body, created_at=row.created_at, edited_at=row.edited_at,
        helpful_count=row.helpful_count, author_id=str(row.author_id),
        author_name=row.author_name, reply_text=row.reply_body, replied_at=row.replied_at)


def summary_from(row: Any) -> RatingSummary:
    """The summary of a row with stars_1..stars_5 (NULL, for a product never reviewed: 0)."""
    if row is None:
        return RatingSummary()
    return RatingSummary(tuple(getattr(row, f"stars_{star}") or 0  # type: ignore[arg-type]
                               for star in STARS))


class PostgresReviews:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def product(self, product_id: str) -> ReviewedProduct | None:
        row = self._db.execute(text("SELECT id, vendor_id FROM products WHERE id = :id"),
                               {"id": product_id}).first()
        return ReviewedProduct(str(row.id), str(row.vendor_id)) if row else None

    def purchases(self, buyer_id: str, product_id: str) -> list[Purchase]:
        rows = self._db.execute(text(
            "SELECT l.id, p.status, l.quantity, l.refunded_quantity FROM order_lines l "
            "JOIN order_parts p ON p.id = l.part_id JOIN orders o ON o.id = l.order_id "
            "WHERE o.buyer_id = :buyer AND l.product_id = :product ORDER BY l.id"),
            {"buyer": buyer_id, "product": product_id})
        return [Purchase(str(row.id), row.status, row.quantity, row.refunded_quantity)
                for row in rows]

    def add(self, review_id: str, product_id: str, author_id: str, order_line_id: str,
            draft: ReviewDraft) -> bool:
        return self._db.execute(text(
            "INSERT INTO reviews (id, product_id, author_id, order_line_id, rating, title, body) "
            "VALUES (:id, :product, :author, :line, :rating, :title, :body) "
            "ON CONFLICT (product_id, author_id) DO NOTHING"),
            {"id": review_id, "product": product_id, "author": author_id, "line": order_line_id,
             "rating": draft.rating, "title": draft.title, "body": draft.text}).rowcount == 1

    def authored(self, review_id: str, product_id: str) -> AuthoredReview | None:
        row = self._db.execute(text(
            "SELECT r.id, r.product_id, p.vendor_id, r.author_id, r.rating, r.status, "
            "r.title, r.body "
            "FROM reviews r JOIN products p ON p.id = r.product_id "
            "WHERE r.id = :id AND r.product_id = :product"),
            {"id": review_id, "product": product_id}).first()
        if row is None:
            return None
        return AuthoredReview(str(row.id), str(row.product_id), str(row.vendor_id),
                              str(row.author_id), row.rating, row.status == "visible",
                              row.title, row.body)

    def rewrite(self, review: AuthoredReview, draft: ReviewDraft) -> bool:
        return self._db.execute(text(
            "UPDATE reviews SET rating = :rating, title = :title, body = :body, "
            f"edited_at = now() WHERE {_UNCHANGED}"),
            {**_as_decided(review), "rating": draft.rating, "title": draft.title,
             "body": draft.text}).rowcount == 1

    def remove(self, review: AuthoredReview) -> bool:
        return self._db.execute(text(f"DELETE FROM reviews WHERE {_UNCHANGED}"),
                                _as_decided(review)).rowcount == 1

    def get(self, review_id: str) -> StoredReview | None:
        row = self._db.execute(text(_REVIEW + " WHERE r.id = :id"), {"id": review_id}).first()
        return review_from(row) if row else None

    def change_stars(self, product_id: str, changes: Mapping[int, int]) -> None:
        """One statement: an upsert when counts only grow (a product's first review inserts
        its row), else an UPDATE of the row, which must be there (a bug otherwise)."""
        moved = {star: delta for star, delta in sorted(changes.items()) if delta}
        if not moved:
            return
        params = {"product": product_id, **{f"d{star}": delta for star, delta in moved.items()}}
        updates = ", ".join(f"stars_{star} = product_ratings.stars_{star} + :d{star}"
                            for star in moved)
        if min(moved.values()) > 0:
            columns = ", ".join(f"stars_{star}" for star in moved)
            values = ", ".join(f":d{star}" for star in moved)
            self._db.execute(text(
                f"INSERT INTO product_ratings (product_id, {columns}) "
                f"VALUES (:product, {values}) ON CONFLICT (product_id) DO UPDATE SET {updates}"),
                params)
            return
        updated = self._db.execute(text(
            f"UPDATE product_ratings SET {updates} WHERE product_id = :product"), params)
        if updated.rowcount != 1:
            raise RuntimeError(f"product {product_id} has no rating summary to take from")

    def summary(self, product_id: str) -> RatingSummary:
        return summary_from(self._db.execute(text(
            f"SELECT {_STARS} FROM product_ratings WHERE product_id = :product"),
            {"product": product_id}).first())


_UNCHANGED = "id = :id AND rating = :old_rating AND status = :old_status"


def _as_decided(review: AuthoredReview) -> dict[str, Any]:
    return {"id": review.id, "old_rating": review.rating,
            "old_status": "visible" if review.visible else "hidden"}
