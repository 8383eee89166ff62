"""Finding products: browse and text search with stable pages, and search by a photo."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from common.domain.catalog import Cursor, ProductSearch, Sort, check_search, effective_sort
from common.domain.errors import InvalidRequest
from common.domain.images import Label
from common.services.ports import ImageRecognizer, ProductQueries, SimilarProducts

IMAGE_RESULTS = 10


def search_products(search: ProductSearch, page_token: str | None, *,
                    queries: ProductQueries) -> tuple[list[Any], str | None]:
    """A page of listed products and the token of the next page (None on the last)."""
    check_search(search)
    after = None
    if page_token:
        after = _decode_token(page_token, search)
    rows = queries.search(search, after)
    if len(rows) <= search.page_size:
        return rows, None
    rows = rows[:search.page_size]
    return rows, _encode_token(rows[-1].sort_key, str(rows[-1].id), search)


def search_by_image(data: bytes, *, recognizer: ImageRecognizer, similar: SimilarProducts,
                    queries: ProductQueries, limit: int = IMAGE_RESULTS,
                    ) -> tuple[tuple[Label, ...], list[tuple[Any, float]]]:
    """Labels seen in the photo and the closest listed products, best first."""
    from common.imaging.decode import decode

    image = decode(data, draft_side=448)
    recognition = recognizer.recognize(image)
    scored = similar.find(image, recognition, limit)
    rows = queries.summaries([product_id for product_id, _ in scored])
    return recognition.labels, [(rows[pid], score) for pid, score in scored if pid in rows]


def _fingerprint(search: ProductSearch) -> str:
    """Ties a page token to the query it came from (sort included)."""
    fields = {**asdict(search), "sort": effective_sort(search).value, "page_size": None}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def _encode_token(key: Any, last_id: str, search: ProductSearch) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    raw = json.dumps({"k": key, "i": last_id, "q": _fingerprint(search)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_token(token: str, search: ProductSearch) -> Cursor:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        fingerprint = raw["q"]
        cursor = Cursor(_key(raw["k"], effective_sort(search)), str(uuid.UUID(raw["i"])))
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise _bad_token("is not a token this API issued") from None
    if fingerprint != _fingerprint(search):
        raise _bad_token("belongs to another query: start again without it")
    return cursor


def _key(value: Any, sort: Sort) -> Any:
    """The sort key in the type its column has; ValueError/TypeError when it is not."""
    if isinstance(value, bool):
        raise TypeError("not a sort key")
    if sort is Sort.NEWEST:
        return datetime.fromisoformat(value).isoformat()
    if sort in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        if not isinstance(value, int):
            raise TypeError("not a price")
        return value
    return float(value)


def _bad_token(message: str) -> InvalidRequest:
    return InvalidRequest("The request is not valid.",
                          errors=[{"field": "page_token", "message": message}])
