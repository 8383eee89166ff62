"""Catalog rules in plain values: who may list, ownership, query words, uploads, tokens."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from common.api.catalog_schemas import CreateProduct, UpdateProduct, product_fields
from common.domain.catalog import (
    Product,
    ProductSearch,
    ProductStatus,
    Sort,
    effective_sort,
    ensure_may_list,
    ensure_owner,
    lexicon_words,
    query_words,
)
from common.domain.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    UnsupportedImage,
    VendorNotVerified,
)
from common.domain.identity import AccountState, Principal, Role, VendorStatus
from common.domain.images import Label, check_declared_upload, rendition_size, top_labels
from common.services.product_search import search_products

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def vendor(status: VendorStatus | None, account_id: str = "v1") -> Principal:
    return Principal(account_id, Role.VENDOR, AccountState.ACTIVE, True, status)


def product(vendor_id: str = "v1") -> Product:
    return Product("p1", vendor_id, "Shop", "Lamp", "", 100, "EUR", "c", "s", 1,
                   ProductStatus.LISTED, NOW, NOW)


@pytest.mark.parametrize("status", [VendorStatus.PENDING_VERIFICATION, VendorStatus.REJECTED,
                                    None])
def test_only_verified_vendors_may_list(status):
    with pytest.raises(VendorNotVerified, match="Contact an admin"):
        ensure_may_list(vendor(status))
    ensure_may_list(vendor(VendorStatus.VERIFIED))


def test_ownership():
    with pytest.raises(NotFound):
        ensure_owner(None, vendor(VendorStatus.VERIFIED))
    with pytest.raises(Forbidden):
        ensure_owner(product("someone-else"), vendor(VendorStatus.VERIFIED))
    assert ensure_owner(product(), vendor(VendorStatus.VERIFIED)).id == "p1"


@pytest.mark.parametrize("text,words", [
    ("Wireless  Headphones", ("wireless", "headphones")),
    ("'; DROP TABLE products; --", ("drop", "table", "products")),
    ("lamp & !shade | a:*", ("lamp", "shade", "a")),
    ("lamp lamp LAMP", ("lamp",)),
    ("one two three four five six seven eight nine", tuple(
        "one two three four five six seven eight".split())),
    ("🙂", ()),
    (None, ()),
], ids=["words", "sql", "tsquery-syntax", "duplicates", "at-most-8", "no-words", "none"])
def test_a_query_is_only_ever_words(text, words):
    assert query_words(text) == words


def test_lexicon_words_skip_single_letters():
    assert lexicon_words("A USB-C cable", "x") == {"usb", "cable"}


def test_relevance_without_words_means_newest():
    assert effective_sort(ProductSearch()) is Sort.NEWEST
    assert effective_sort(ProductSearch(words=("lamp",))) is Sort.RELEVANCE


@pytest.mark.parametrize("content_type,size", [("image/gif", 10), ("image/jpeg", 0),
                                               ("image/png", 10 * 1024 * 1024 + 1)])
def test_declared_uploads_outside_the_rules_are_refused(content_type, size):
    with pytest.raises(UnsupportedImage):
        check_declared_upload(content_type, size)


def test_labels_keep_the_surest_five_once_each():
    scored = [Label("cup", 0.5), Label("cup", 0.2), Label("dust", 0.01)] + [
        Label(f"l{i}", 0.1 + i / 100) for i in range(6)]
    assert [label.name for label in top_labels(scored)] == ["cup", "l5", "l4", "l3", "l2"]


@pytest.mark.parametrize("size,longest,expected", [((4000, 3000), 1280, (1280, 960)),
                                                   ((100, 50), 320, (100, 50)),
                                                   ((5000, 2), 320, (320, 1))])
def test_renditions_scale_down_only(size, longest, expected):
    assert rendition_size(*size, longest) == expected


@pytest.mark.parametrize("body", [
    {"price": {"amount": 1.5}}, {"price": {"amount": 0}}, {"stock": -1}, {"stock": "3"},
], ids=["float-price", "zero-price", "negative-stock", "string-stock"])
def test_product_bodies_refuse_inexact_numbers(body):
    base = {"name": "Lamp", "price": {"amount": 100}, "category_id": "c",
            "subcategory_id": "s", "stock": 1}
    with pytest.raises(ValidationError):
        CreateProduct.model_validate({**base, **body})


def test_product_fields_map_price_to_minor_units_and_keep_only_what_was_sent():
    edit = UpdateProduct.model_validate({"price": {"amount": 250}})
    assert product_fields(edit) == {"price_amount": 250}


class FakeQueries:
    """Rows carry a sort key and an id, like the SQL adapter's."""

    def __init__(self, rows):  # noqa: ANN001
        self.rows, self.after = rows, []

    def search(self, search, after):  # noqa: ANN001, ANN201
        self.after.append(after)
        start = 0 if after is None else [r.id for r in self.rows].index(after.id) + 1
        return self.rows[start:start + search.page_size + 1]


class Row:
    def __init__(self, key, id):  # noqa: ANN001, A002
        self.sort_key, self.id = key, id


def test_page_tokens_round_trip_and_belong_to_their_query():
    queries = FakeQueries([Row(300 - i, f"00000000-0000-0000-0000-00000000000{i}")
                           for i in range(5)])
    search = ProductSearch(sort=Sort.PRICE_DESC, page_size=2)
    _, token = search_products(search, None, queries=queries, token_key=b"k")
    page, _ = search_products(search, token, queries=queries, token_key=b"k")

    assert [row.sort_key for row in page] == [298, 297]
    assert queries.after[-1].key == 299
    with pytest.raises(InvalidRequest):
        search_products(ProductSearch(sort=Sort.PRICE_ASC, page_size=2), token, queries=queries,
                        token_key=b"k")
    with pytest.raises(InvalidRequest):
        search_products(search, token[:-3] + "xyz", queries=queries, token_key=b"k")
