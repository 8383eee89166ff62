"""Finding products: browse and text search with stable pages, and search by a photo."""

from __future__ import annotations

from typing import Any

from common.domain import page_tokens
from common.domain.catalog import ProductSearch, check_search
from common.domain.images import Label
from common.ports.catalog import ProductQueries
from common.ports.images import ImageRecognizer, SimilarProducts

IMAGE_RESULTS = 10


def search_products(search: ProductSearch, page_token: str | None, *, queries: ProductQueries,
                    token_key: bytes) -> tuple[list[Any], str | None]:
    """A page of listed products and the token of the next page (None on the last).

    Raises InvalidRequest (field page_token) for a token not issued for this query."""
    check_search(search)
    after = None
    if page_token:
        after = page_tokens.product_cursor(page_token, search, token_key)
    rows = queries.search(search, after)
    if len(rows) <= search.page_size:
        return rows, None
    rows = rows[:search.page_size]
    return rows, page_tokens.product_token(rows[-1].sort_key, str(rows[-1].id), search,
                                           token_key)


def search_by_image(data: bytes, *, recognizer: ImageRecognizer, similar: SimilarProducts,
                    queries: ProductQueries, limit: int = IMAGE_RESULTS,
                    ) -> tuple[tuple[Label, ...], list[tuple[Any, float]]]:
    """Labels seen in the photo and the closest listed products, best first.

    Raises UnsupportedImage for what is not a JPEG, PNG or WebP photo of at most 12 MP."""
    from common.imaging.decode import decode_query

    image = decode_query(data)
    recognition = recognizer.recognize(image)
    scored = similar.find(image, recognition, limit)
    rows = queries.summaries([product_id for product_id, _ in scored])
    return recognition.labels, [(rows[pid], score) for pid, score in scored if pid in rows]

