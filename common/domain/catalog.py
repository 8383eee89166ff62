"""Catalog rules: who may list, who may change a product, what a search asks for.

Plain values only: no database, no HTTP. Money is integer minor units in EUR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from common.domain.errors import Forbidden, InvalidRequest, NotFound, VendorNotVerified
from common.domain.identity import Principal, VendorStatus
from common.domain.images import DetectedObject, ImageStatus, Label
from common.domain.reviews import NO_RATINGS, RatingSummary

CURRENCY = "EUR"
MAX_PRICE = 10_000_000_000  # minor units: 100 million euros
MAX_STOCK = 1_000_000
MAX_QUERY_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")


class ProductStatus(StrEnum):
    LISTED = "listed"
    UNLISTED = "unlisted"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    NEWEST = "newest"


@dataclass(frozen=True)
class Subcategory:
    id: str
    name: str


@dataclass(frozen=True)
class Category:
    """A top-level category with its sub-categories, in display order."""

    id: str
    name: str
    subcategories: tuple[Subcategory, ...]


@dataclass(frozen=True)
class ProductImage:
    id: str
    product_id: str
    status: ImageStatus
    content_type: str
    declared_size: int
    reject_reason: str | None = None
    width: int | None = None
    height: int | None = None
    labels: tuple[Label, ...] = ()
    objects: tuple[DetectedObject, ...] = ()
    renditions: dict[str, str] = field(default_factory=dict)  # name -> object name


@dataclass(frozen=True)
class Product:
    id: str
    vendor_id: str
    vendor_name: str
    name: str
    description: str
    price_amount: int
    currency: str
    category_id: str
    subcategory_id: str
    stock: int
    status: ProductStatus
    created_at: datetime
    updated_at: datetime
    images: tuple[ProductImage, ...] = ()
    rating: RatingSummary = NO_RATINGS


@dataclass(frozen=True)
class ProductSummary:
    """A listed product as a search result: `thumbnail` is the object name of its first
    ready image's thumbnail, `sort_key` its value of the search's order (page tokens)."""

    id: str
    vendor_id: str
    vendor_name: str
    name: str
    price_amount: int
    currency: str
    category_id: str
    subcategory_id: str
    stock: int
    created_at: datetime
    thumbnail: str | None
    sort_key: Any = None
    rating: RatingSummary = NO_RATINGS


@dataclass(frozen=True)
class ProductSearch:
    """A catalog query; `words` are the query's normalised words (empty: browse)."""

    words: tuple[str, ...] = ()
    category_id: str | None = None
    subcategory_id: str | None = None
    vendor_id: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    sort: Sort = Sort.RELEVANCE
    page_size: int = 20


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last row's sort key and id (keyset pagination)."""

    key: object
    id: str


def ensure_may_list(principal: Principal) -> None:
    """Only a verified vendor lists products; raises VendorNotVerified with what to do."""
    if principal.vendor_status is not VendorStatus.VERIFIED:
        raise VendorNotVerified(
            "Your vendor account is not verified yet, so you cannot list products. "
            "Contact an admin to complete the verification.")


def ensure_owner(product: Product | None, principal: Principal) -> Product:
    """The product, if the caller owns it; NotFound or Forbidden otherwise."""
    if product is None:
        raise NotFound("No such product.")
    if product.vendor_id != principal.account_id:
        raise Forbidden("Only the vendor who listed this product can change it.")
    return product


def query_words(text: str | None) -> tuple[str, ...]:
    """Lower-case alphanumeric words of a search text, at most MAX_QUERY_WORDS, in order.

    Everything else (quotes, operators, SQL) is a separator: nothing of `q` reaches a
    query as syntax.
    """
    if not text:
        return ()
    words = list(dict.fromkeys(_WORD.findall(text.lower())))
    return tuple(word[:32] for word in words[:MAX_QUERY_WORDS])


def lexicon_words(*texts: str) -> set[str]:
    """The words a product contributes to the search lexicon (used to correct typos)."""
    return {word for text in texts for word in _WORD.findall(text.lower()) if 2 <= len(word) <= 32}


def check_search(search: ProductSearch) -> None:
    """Rules across fields of a search; raises InvalidRequest naming the field."""
    if (search.min_price is not None and search.max_price is not None
            and search.min_price > search.max_price):
        raise InvalidRequest.at("min_price", "must not be greater than max_price")


def effective_sort(search: ProductSearch) -> Sort:
    """Relevance needs words to rank by; without a query it means newest first."""
    if search.sort is Sort.RELEVANCE and not search.words:
        return Sort.NEWEST
    return search.sort
