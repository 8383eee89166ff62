"""Guards against query creep on the public catalog's hot paths: each request runs a fixed,
small number of SQL statements, however many products or images there are."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
import sqlalchemy
from sqlalchemy import event

from devstack import manifest
from devstack.loader import load
from tests.e2e.catalog import list_product


@contextmanager
def statements_of_this_thread():
    """The SQL statements this thread runs inside the block (other threads are ignored)."""
    seen: list[str] = []
    me = threading.get_ident()

    def record(conn, cursor, statement, *args):  # noqa: ANN001
        if threading.get_ident() == me:
            seen.append(statement)

    # Every engine: each function connects as its own database role, with an engine each.
    event.listen(sqlalchemy.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sqlalchemy.Engine, "before_cursor_execute", record)


def client(name: str):  # noqa: ANN201
    return load(manifest.functions()[name]).test_client()


@pytest.fixture
def many_products(api, verified_vendor) -> str:
    for n in range(12):
        list_product(api, verified_vendor, name=f"Counting lamp {n}")
    return verified_vendor.id


@pytest.mark.parametrize("query,expected", [
    ({}, 1), ({"q": "counting lamp"}, 2), ({"q": "cuonting"}, 2), ({"sort": "price_asc"}, 1),
], ids=["browse", "search", "typo", "sorted"])
def test_a_page_of_products_costs_a_fixed_number_of_statements(many_products, query, expected):
    search = client("search_products")

    with statements_of_this_thread() as seen:
        response = search.get("/v1/products", query_string={"vendor_id": many_products,
                                                             "page_size": 10, **query})

    assert response.status_code == 200 and len(response.json["items"]) == 10
    assert len(seen) == expected, seen


def test_a_product_with_images_costs_two_statements(api, verified_vendor):
    product = list_product(api, verified_vendor)
    for _ in range(3):
        api.post(f"/v1/products/{product['id']}/images", headers=verified_vendor.auth,
                 json={"content_type": "image/jpeg", "size": 100})
    read = client("get_product")

    with statements_of_this_thread() as seen:
        response = read.get(f"/v1/products/{product['id']}")

    assert response.status_code == 200 and len(response.json["images"]) == 3
    assert len(seen) == 2, seen


def test_a_warm_instance_answers_the_category_tree_without_sql(stack):
    categories = client("list_categories")
    first = categories.get("/v1/categories")  # Given an instance whose first request read it

    with statements_of_this_thread() as seen:
        again = categories.get("/v1/categories")

    assert first.status_code == again.status_code == 200
    assert again.json == first.json and len(again.json) >= 15
    assert again.headers["ETag"] == first.headers["ETag"]
    assert seen == []
