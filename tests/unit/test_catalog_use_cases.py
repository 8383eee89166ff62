"""The catalog's use cases: categories, listing, editing, unlisting, reading, searching."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from common.domain import page_tokens
from common.domain.catalog import (
    Cursor,
    Product,
    ProductSearch,
    ProductStatus,
    ProductSummary,
    Sort,
)
from common.domain.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    UnsupportedImage,
    VendorNotVerified,
)
from common.domain.events import ProductListed, ProductUnlisted, ProductUpdated
from common.domain.identity import Account, AccountState, Role, VendorStatus
from common.domain.images import Label, Recognition
from common.services.catalog import (
    category_tree,
    list_product,
    public_product,
    unlist_product,
    update_product,
)
from common.services.product_search import search_by_image, search_products
from tests.unit.fakes import (
    START,
    FakeDatabase,
    FakeImageRecognizer,
    FakeProductQueries,
    FakeSimilarProducts,
)
from tests.unit.given import (
    CATEGORIES,
    TOKEN_KEY,
    given_account,
    given_product,
    new_id,
    png,
    principal_of,
)

FIELDS = {"name": "Brass Lamp", "description": "Warm light for a desk", "price_amount": 4900,
          "category_id": "home", "subcategory_id": "lamps", "stock": 3}


def shop() -> tuple[FakeDatabase, Account]:
    db = FakeDatabase()
    db.tables.categories = list(CATEGORIES)
    return db, given_account(db, Role.VENDOR)


def test_the_category_tree_is_read_once_per_database():
    db, other = FakeDatabase(), FakeDatabase()
    db.tables.categories = list(CATEGORIES)

    assert category_tree(uow=db.unit_of_work) == tuple(CATEGORIES)
    db.tables.categories = []
    assert category_tree(uow=db.unit_of_work) == tuple(CATEGORIES)
    assert category_tree(uow=other.unit_of_work) == ()

    assert (db.transactions, other.transactions) == (1, 1)


def test_a_verified_vendor_lists_a_product_in_euros():
    db, vendor = shop()

    product = list_product(principal_of(vendor), FIELDS, uow=db.unit_of_work)

    assert product == Product(
        product.id, vendor.id, vendor.name, "Brass Lamp", "Warm light for a desk", 4900, "EUR",
        "home", "lamps", 3, ProductStatus.LISTED, START, START)
    assert db.tables.products[product.id] == dataclasses.replace(product, vendor_name="")
    assert db.tables.lexicon == {"brass", "lamp", "warm", "light", "for", "desk"}
    assert db.events() == [(ProductListed, {
        "product_id": product.id, "vendor_id": vendor.id, "category_id": "home",
        "subcategory_id": "lamps", "price": {"amount": 4900, "currency": "EUR"}})]


@pytest.mark.parametrize("status", [VendorStatus.PENDING_VERIFICATION, VendorStatus.REJECTED])
def test_an_unverified_vendor_lists_nothing(status):
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=status)

    with pytest.raises(VendorNotVerified):
        list_product(principal_of(vendor), FIELDS, uow=db.unit_of_work)
    assert (db.tables.products, db.transactions) == ({}, 0)


@pytest.mark.parametrize("category,subcategory,field,message", [
    ("garden", "lamps", "category_id", "unknown category"),
    ("home", "sofas", "subcategory_id", "unknown sub-category"),
    ("books", "lamps", "subcategory_id", "is a sub-category of home, not of books"),
], ids=["unknown-category", "unknown-subcategory", "subcategory-of-another-category"])
def test_a_product_goes_in_a_known_subcategory_of_its_category(category, subcategory, field,
                                                                message):
    db, vendor = shop()

    with pytest.raises(InvalidRequest) as refused:
        list_product(principal_of(vendor), {**FIELDS, "category_id": category,
                                            "subcategory_id": subcategory}, uow=db.unit_of_work)

    assert refused.value.extra == {"errors": [{"field": field, "message": message}]}
    assert (db.tables.products, db.committed_events) == ({}, [])


def test_the_owner_edits_fields_and_the_lexicon_learns_the_new_words():
    db, vendor = shop()
    product = given_product(db, vendor)
    db.clock.advance(60)

    updated = update_product(principal_of(vendor), product.id,
                             {"name": "Copper lamp", "price_amount": 5900, "category_id": "home",
                              "subcategory_id": "rugs"}, uow=db.unit_of_work)

    assert (updated.name, updated.price_amount, updated.subcategory_id, updated.updated_at) == (
        "Copper lamp", 5900, "rugs", START + timedelta(seconds=60))
    assert db.tables.products[product.id].name == "Copper lamp"
    assert db.tables.lexicon == {"copper", "lamp"}
    assert db.events() == [(ProductUpdated, {
        "product_id": product.id, "vendor_id": vendor.id,
        "fields": ["category_id", "name", "price_amount", "subcategory_id"]})]


def test_an_unlisted_product_is_listed_again_by_an_edit():
    db, vendor = shop()
    product = given_product(db, vendor, status=ProductStatus.UNLISTED)

    updated = update_product(principal_of(vendor), product.id, {"status": "listed"},
                             uow=db.unit_of_work)

    assert updated.status is ProductStatus.LISTED


def test_an_edit_into_a_subcategory_of_another_category_is_refused():
    db, vendor = shop()
    product = given_product(db, vendor)

    with pytest.raises(InvalidRequest, match="not valid"):
        update_product(principal_of(vendor), product.id, {"subcategory_id": "novels"},
                       uow=db.unit_of_work)
    assert db.tables.products[product.id] == product


@pytest.mark.parametrize("use_case", ["update", "unlist"])
@pytest.mark.parametrize("whose,error", [("another-vendor", Forbidden), ("nobody", NotFound)])
def test_only_the_owner_changes_a_product(use_case, whose, error):
    db, owner = shop()
    product_id = given_product(db, owner).id if whose == "another-vendor" else new_id()
    intruder = principal_of(given_account(db, Role.VENDOR))

    with pytest.raises(error):
        if use_case == "update":
            update_product(intruder, product_id, {"stock": 0}, uow=db.unit_of_work)
        else:
            unlist_product(intruder, product_id, uow=db.unit_of_work)
    assert db.committed_events == []


def test_unlisting_takes_a_product_off_once():
    db, vendor = shop()
    product = given_product(db, vendor)

    unlist_product(principal_of(vendor), product.id, uow=db.unit_of_work)
    unlist_product(principal_of(vendor), product.id, uow=db.unit_of_work)

    assert db.tables.products[product.id].status is ProductStatus.UNLISTED
    assert db.events() == [(ProductUnlisted, {"product_id": product.id, "vendor_id": vendor.id})]


def test_a_public_product_is_a_listed_one_of_an_active_vendor():
    db, vendor = shop()
    listed = given_product(db, vendor)
    unlisted = given_product(db, vendor, status=ProductStatus.UNLISTED)
    blocked = given_account(db, Role.VENDOR, state=AccountState.BLOCKED)
    of_blocked = given_product(db, blocked)

    assert public_product(listed.id, uow=db.unit_of_work) == dataclasses.replace(
        listed, vendor_name=vendor.name)
    for hidden in (unlisted.id, of_blocked.id, new_id()):
        with pytest.raises(NotFound):
            public_product(hidden, uow=db.unit_of_work)


def summary(n: int) -> ProductSummary:
    created = START - timedelta(hours=n)
    return ProductSummary(new_id(), new_id(), "Lumen", f"Lamp {n}", 100 * n, "EUR", "home",
                          "lamps", 1, created, None, sort_key=created)


def test_search_pages_follow_each_other_through_their_tokens():
    queries = FakeProductQueries([summary(n) for n in range(5)])
    search = ProductSearch(sort=Sort.NEWEST, page_size=2)

    first, token = search_products(search, None, queries=queries, token_key=TOKEN_KEY)
    second, token2 = search_products(search, token, queries=queries, token_key=TOKEN_KEY)
    last, end = search_products(search, token2, queries=queries, token_key=TOKEN_KEY)

    assert first + second + last == queries.listed and end is None
    assert [after for _, after in queries.searches] == [
        None, Cursor(first[-1].created_at.isoformat(), first[-1].id),
        Cursor(second[-1].created_at.isoformat(), second[-1].id)]


def test_a_page_token_works_only_for_the_query_it_came_from():
    queries = FakeProductQueries([summary(n) for n in range(3)])
    _, token = search_products(ProductSearch(page_size=2), None, queries=queries,
                               token_key=TOKEN_KEY)
    assert token is not None

    with pytest.raises(InvalidRequest) as refused:
        search_products(ProductSearch(page_size=2, category_id="books"), token, queries=queries,
                        token_key=TOKEN_KEY)
    assert refused.value.extra == {"errors": [{"field": "page_token",
                                               "message": page_tokens.OTHER_QUERY}]}


def test_a_price_range_upside_down_is_refused_before_any_query():
    queries = FakeProductQueries()

    with pytest.raises(InvalidRequest) as refused:
        search_products(ProductSearch(min_price=500, max_price=100), None, queries=queries,
                        token_key=TOKEN_KEY)
    assert refused.value.extra["errors"][0]["field"] == "min_price"
    assert queries.searches == []


def test_a_photo_finds_the_closest_listed_products_best_first():
    listed = [summary(1), summary(2)]
    recognition = Recognition((Label("lamp", 0.9),), embedding=(1.0, 0.0))
    recognizer = FakeImageRecognizer(recognition)
    similar = FakeSimilarProducts([(listed[1].id, 0.93), (new_id(), 0.9), (listed[0].id, 0.71)])

    labels, found = search_by_image(png(), recognizer=recognizer, similar=similar,
                                    queries=FakeProductQueries(listed), limit=3)

    assert labels == (Label("lamp", 0.9),)
    assert found == [(listed[1], 0.93), (listed[0], 0.71)]  # the unlisted one dropped
    assert (recognizer.seen, similar.asked) == ([(64, 48)], [(recognition, 3)])


def test_a_photo_that_is_no_image_is_refused_before_recognition():
    recognizer = FakeImageRecognizer(Recognition(()))

    with pytest.raises(UnsupportedImage, match="not a JPEG, PNG or WebP"):
        search_by_image(b"%PDF-1.7", recognizer=recognizer, similar=FakeSimilarProducts([]),
                        queries=FakeProductQueries())
    assert recognizer.seen == []
