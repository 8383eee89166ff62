"""The public list of a product's reviews: visible ones only, newest or most helpful first,
in stable keyset pages (common/domain/review_pages.py)."""

from __future__ import annotations

import uuid

from common.domain.errors import NotFound
from common.domain.review_pages import ReviewKey, ReviewSort, review_cursor, review_token
from common.ports.review_moderation import ReviewModerationUnitOfWorkFactory
from common.ports.reviews import StoredReview

NO_SUCH_PRODUCT = "No such product."


def review_page(product_id: str, sort: ReviewSort, page_size: int, page_token: str | None, *,
                uow: ReviewModerationUnitOfWorkFactory,
                token_key: bytes) -> tuple[list[StoredReview], str | None]:
    """A page of the product's visible reviews and the next page's token (None at the end);
    NotFound unless the product is listed by an active vendor."""
    if not _is_uuid(product_id):
        raise NotFound(NO_SUCH_PRODUCT)
    after = review_cursor(sort, product_id, page_token, token_key) if page_token else None
    with uow() as tx:
        if not tx.listing.product_is_public(product_id):
            raise NotFound(NO_SUCH_PRODUCT)
        rows = tx.listing.page(product_id, sort, after, page_size + 1)
    next_token = None
    if len(rows) > page_size:
        last = rows[page_size - 1]
        next_token = review_token(sort, product_id,
                                  ReviewKey(last.created_at, last.id, last.helpful_count),
                                  token_key)
    return rows[:page_size], next_token


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
