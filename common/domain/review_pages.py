"""The order of a product's public reviews and where a page of them ended (keyset paging).

`newest`: created_at DESC, id DESC; `helpful`: helpful_count DESC, created_at DESC, id DESC.
A page token carries the last row's key, signed for this product and sort, so the next
page starts strictly after it: reviews posted meanwhile sort before it and shift nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from common.domain.page_tokens import int_value, issue, read, timestamp_value, uuid_value

MAX_COUNT = 2**31 - 1  # an integer column


class ReviewSort(str, enum.Enum):
    NEWEST = "newest"
    HELPFUL = "helpful"


@dataclass(frozen=True)
class ReviewKey:
    """A review's place in the list: helpful_count only counts for the `helpful` sort."""

    created_at: datetime
    id: str
    helpful_count: int = 0


def review_token(sort: ReviewSort, product_id: str, last: ReviewKey, key: bytes) -> str:
    """The token of the page after `last` in this product's list in this order."""
    fields: dict[str, object] = {"t": last.created_at.isoformat(), "i": last.id}
    if sort is ReviewSort.HELPFUL:
        fields["h"] = last.helpful_count
    return issue(fields, key, purpose=_purpose(sort, product_id))


def review_cursor(sort: ReviewSort, product_id: str, token: str, key: bytes) -> ReviewKey:
    """Where the page before ended; InvalidRequest for a token not of this list."""
    fields = read(token, key, purpose=_purpose(sort, product_id))
    count = int_value(fields.get("h"), 0, MAX_COUNT) if sort is ReviewSort.HELPFUL else 0
    return ReviewKey(timestamp_value(fields.get("t")), uuid_value(fields.get("i")), count)


def _purpose(sort: ReviewSort, product_id: str) -> str:
    """A token is good for one product's list in one order only."""
    return f"reviews:{product_id}:{sort.value}"
