"""Stored reviews → the response models of the contract (common/api/review_schemas.py)."""

from __future__ import annotations

from common.api import review_schemas as rs
from common.domain.reviews import first_name
from common.ports.reviews import StoredReview


def review(r: StoredReview) -> rs.Review:
    reply = None
    if r.reply_text is not None and r.replied_at is not None:
        reply = rs.ReviewReply(text=r.reply_text, created_at=r.replied_at)
    return rs.Review(
        id=r.id, product_id=r.product_id, rating=r.rating, title=r.title, text=r.text,
        verified_purchase=True, created_at=r.created_at, edited_at=r.edited_at,
        helpful_count=r.helpful_count,
        author=rs.ReviewAuthor(id=r.author_id, name=first_name(r.author_name)), reply=reply)
