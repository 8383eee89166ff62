"""Page tokens are signed, bound to their list and query, and bounded even when signed."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone

import pytest

from common.domain import page_tokens
from common.domain.catalog import MAX_PRICE, ProductSearch, Sort
from common.domain.errors import InvalidRequest

KEY = b"unit-test-page-token-key-of-32-chars"
ROW_ID = "6f1c1a52-4d0e-4f6b-9d0c-2a3e4b5c6d7e"
BY_PRICE = ProductSearch(sort=Sort.PRICE_ASC)
CREATED = datetime(2026, 5, 1, 12, 30, tzinfo=timezone.utc)


def _refused(call) -> str:  # noqa: ANN001
    with pytest.raises(InvalidRequest) as refused:
        call()
    [error] = refused.value.extra["errors"]
    assert error["field"] == "page_token"
    return error["message"]


def _signed(fields: dict, purpose: str = "products") -> str:
    """What only someone holding the key could make: the bounds must hold all the same."""
    return page_tokens.issue(fields, KEY, purpose=purpose)


def _fingerprint_of(search: ProductSearch) -> str:
    return json.loads(base64.urlsafe_b64decode(
        page_tokens.product_token(1, ROW_ID, search, KEY).split(".")[0] + "=="))["q"]


@pytest.mark.parametrize("search,sort_key", [
    pytest.param(BY_PRICE, 1999, id="price"),
    pytest.param(ProductSearch(), CREATED, id="newest"),
    pytest.param(ProductSearch(words=("lamp",)), 0.0607927, id="relevance"),
    pytest.param(ProductSearch(sort=Sort.RATING), -1.0, id="rating-none-yet"),
])
def test_a_product_token_gives_back_where_the_page_ended(search, sort_key):
    token = page_tokens.product_token(sort_key, ROW_ID, search, KEY)
    cursor = page_tokens.product_cursor(token, search, KEY)
    expected = sort_key.isoformat() if isinstance(sort_key, datetime) else sort_key
    assert (cursor.key, cursor.id) == (expected, ROW_ID)
    assert len(token) <= page_tokens.MAX_TOKEN_CHARS


def test_a_vendor_token_gives_back_where_the_page_ended():
    token = page_tokens.vendor_token(CREATED, ROW_ID, "verified", KEY)
    assert page_tokens.vendor_cursor(token, "verified", KEY) == (CREATED, ROW_ID)


def test_an_altered_token_is_refused():
    token = page_tokens.product_token(1999, ROW_ID, BY_PRICE, KEY)
    body, mac = token.split(".")
    raw = json.loads(base64.urlsafe_b64decode(body + "=="))
    cheaper = base64.urlsafe_b64encode(json.dumps({**raw, "k": 1}).encode()).decode().rstrip("=")
    assert _refused(lambda: page_tokens.product_cursor(f"{cheaper}.{mac}", BY_PRICE, KEY)) \
        == page_tokens.NOT_ISSUED
    assert _refused(lambda: page_tokens.product_cursor(token, BY_PRICE, b"another key")) \
        == page_tokens.NOT_ISSUED


@pytest.mark.parametrize("token", [
    pytest.param("eyJrIjoxfQ", id="unsigned-json"),
    pytest.param("", id="empty"),
    pytest.param("a." + "A" * 43, id="mac-of-nothing"),
    pytest.param("%%%." + "A" * 43, id="not-base64url"),
    pytest.param("a" * 300 + "." + "A" * 43, id="too-long"),
    pytest.param("a." + "A" * 43 + "\n", id="trailing-newline"),
])
def test_a_token_this_api_did_not_issue_is_refused(token):
    assert _refused(lambda: page_tokens.product_cursor(token, BY_PRICE, KEY)) \
        == page_tokens.NOT_ISSUED


def test_a_token_belongs_to_its_list_and_its_query():
    vendors = page_tokens.vendor_token(CREATED, ROW_ID, "verified", KEY)
    products = page_tokens.product_token(1999, ROW_ID, BY_PRICE, KEY)
    assert _refused(lambda: page_tokens.product_cursor(vendors, BY_PRICE, KEY)) \
        == page_tokens.NOT_ISSUED
    assert _refused(lambda: page_tokens.vendor_cursor(products, "verified", KEY)) \
        == page_tokens.NOT_ISSUED
    assert _refused(lambda: page_tokens.vendor_cursor(vendors, "rejected", KEY)) \
        == page_tokens.OTHER_QUERY
    assert _refused(lambda: page_tokens.product_cursor(
        products, ProductSearch(sort=Sort.PRICE_DESC), KEY)) == page_tokens.OTHER_QUERY


@pytest.mark.parametrize("search,sort_key", [
    pytest.param(BY_PRICE, 10**30, id="price-past-bigint"),
    pytest.param(BY_PRICE, MAX_PRICE + 1, id="price-past-max"),
    pytest.param(BY_PRICE, -1, id="negative-price"),
    pytest.param(BY_PRICE, True, id="bool-price"),
    pytest.param(BY_PRICE, 19.99, id="fractional-price"),
    pytest.param(BY_PRICE, "1999", id="text-price"),
    pytest.param(ProductSearch(), "9999-12-31T23:59:59+00:00", id="year-9999"),
    pytest.param(ProductSearch(), "2026-05-01T12:30:00", id="no-utc-offset"),
    pytest.param(ProductSearch(), "yesterday", id="not-a-time"),
    pytest.param(ProductSearch(sort=Sort.RATING), 1e308 * 10, id="infinite-rating"),
    pytest.param(ProductSearch(sort=Sort.RATING), 10**400, id="rating-past-any-double"),
    pytest.param(ProductSearch(sort=Sort.RATING), -2, id="rating-below-none"),
    pytest.param(ProductSearch(words=("lamp",)), None, id="no-rank"),
])
def test_a_signed_token_out_of_its_columns_range_is_refused(search, sort_key):
    token = _signed({"k": sort_key, "i": ROW_ID, "q": _fingerprint_of(search)})
    assert _refused(lambda: page_tokens.product_cursor(token, search, KEY)) \
        == page_tokens.NOT_ISSUED


@pytest.mark.parametrize("row_id", [
    "1; DROP TABLE products", str(uuid.uuid4()).upper() + "0", 7, None,
    "{" + ROW_ID + "}",
])
def test_a_signed_token_with_a_row_id_that_is_no_uuid_is_refused(row_id):
    products = _signed({"k": 1, "i": row_id, "q": _fingerprint_of(BY_PRICE)})
    vendors = _signed({"t": CREATED.isoformat(), "i": row_id, "s": "verified"}, "vendors")
    assert _refused(lambda: page_tokens.product_cursor(products, BY_PRICE, KEY))
    assert _refused(lambda: page_tokens.vendor_cursor(vendors, "verified", KEY))


def test_a_signed_token_that_is_not_an_object_is_refused():
    not_an_object = page_tokens.issue([1, 2], KEY, purpose="products")  # type: ignore[arg-type]
    assert _refused(lambda: page_tokens.product_cursor(not_an_object, BY_PRICE, KEY))
