"""GET /v1/products/{id}/reviews: anyone reads a listed product's visible reviews, newest or
most helpful first, in keyset pages that a review posted meanwhile does not shift."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.reviewing import bought_product, buyer_review, listed, listed_ids


def test_reviews_are_listed_newest_first_as_the_contract_shows_them(api, verified_vendor):
    # Given two reviews of a product, the second with markup in it
    lamp = bought_product(api, verified_vendor)
    first_buyer, first = buyer_review(api, lamp, rating=5)
    _, second = buyer_review(api, lamp, rating=2, title="<b>Meh</b>",
                             text="<script>alert(1)</script>\nDim.")

    # When anyone (no token) lists them
    page = listed(api, lamp)

    # Then the newest comes first, each as posted, markup verbatim, the author's first name
    assert page["next_page_token"] is None
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]
    assert page["items"][0]["title"] == "<b>Meh</b>"
    assert page["items"][0]["text"] == "<script>alert(1)</script>\nDim."
    assert page["items"][1] == {
        "id": first["id"], "product_id": lamp, "rating": 5, "title": "Works well",
        "text": "Bright and quiet.", "verified_purchase": True,
        "created_at": first["created_at"], "edited_at": None, "helpful_count": 0,
        "author": {"id": first_buyer.id, "name": "Test"}, "reply": None}


def test_a_review_posted_meanwhile_does_not_shift_the_next_page(api, verified_vendor):
    # Given three reviews, and the first page of two (newest first)
    lamp = bought_product(api, verified_vendor)
    oldest, middle, newest = (buyer_review(api, lamp)[1]["id"] for _ in range(3))
    first = listed(api, lamp, page_size=2)
    assert [item["id"] for item in first["items"]] == [newest, middle]

    # When a fourth review is posted before the next page is asked for
    _, latest = buyer_review(api, lamp)
    second = listed(api, lamp, page_size=2, page_token=first["next_page_token"])

    # Then the next page starts right after the last one seen (an offset would repeat one)
    assert [item["id"] for item in second["items"]] == [oldest]
    assert second["next_page_token"] is None
    # And a fresh first page shows the new review on top
    assert listed_ids(api, lamp, page_size=2) == [latest["id"], newest]


def test_most_helpful_first_then_newest_page_by_page(api, verified_vendor):
    # Given three reviews: the oldest with one helpful vote, the middle with two
    lamp = bought_product(api, verified_vendor)
    oldest, middle, newest = (buyer_review(api, lamp)[1]["id"] for _ in range(3))
    voters = [api.register("customer") for _ in range(2)]
    for review_id, count in [(middle, 2), (oldest, 1)]:
        for voter in voters[:count]:
            voted = api.post(f"/v1/reviews/{review_id}:helpful", headers=voter.auth)
            assert voted.status_code == 200, voted.text

    # When the list is read one review a page, most helpful first
    seen, counts, token = [], [], None
    while True:
        page = listed(api, lamp, sort="helpful", page_size=1,
                      **({"page_token": token} if token else {}))
        seen += [item["id"] for item in page["items"]]
        counts += [item["helpful_count"] for item in page["items"]]
        token = page["next_page_token"]
        if token is None:
            break

    # Then by votes, ties newest first; and newest first ignores votes
    assert (seen, counts) == ([middle, oldest, newest], [2, 1, 0])
    assert listed_ids(api, lamp) == [newest, middle, oldest]


def test_a_page_token_is_good_for_its_own_product_and_order_only(api, verified_vendor):
    # Given a token of a product's newest-first list
    lamp = bought_product(api, verified_vendor)
    other = bought_product(api, verified_vendor)
    for _ in range(2):
        buyer_review(api, lamp)
    token = listed(api, lamp, page_size=1)["next_page_token"]

    # When it is used for the helpful order, or for another product
    wrong = [api.get(f"/v1/products/{lamp}/reviews",
                     params={"sort": "helpful", "page_token": token}),
             api.get(f"/v1/products/{other}/reviews", params={"page_token": token})]

    # Then each is 422 naming the token
    for response in wrong:
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == [
            {"field": "page_token", "message": "is not a token this API issued"}]


@pytest.mark.parametrize("params", [
    {"sort": "rating"}, {"page_size": 0}, {"page_size": 101}, {"page_token": "nope"},
    {"colour": "red"},
], ids=["unknown-sort", "page-size-0", "page-size-101", "garbage-token", "unknown-param"])
def test_a_bad_query_is_422(api, verified_vendor, params):
    lamp = bought_product(api, verified_vendor)

    response = api.get(f"/v1/products/{lamp}/reviews", params=params)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("product_id", [str(uuid.uuid4()), "not-a-uuid"],
                         ids=["unknown", "not-a-uuid"])
def test_the_reviews_of_no_product_are_not_found(api, product_id):
    response = api.get(f"/v1/products/{product_id}/reviews")

    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_an_unlisted_products_reviews_are_not_found(api, verified_vendor):
    # Given a reviewed product that its vendor then takes off the catalog
    lamp = bought_product(api, verified_vendor)
    buyer_review(api, lamp)
    unlisted = api.delete(f"/v1/products/{lamp}", headers=verified_vendor.auth)
    assert unlisted.status_code == 204, unlisted.text

    # When its reviews are asked for, Then 404, like the product
    response = api.get(f"/v1/products/{lamp}/reviews")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("sort", ["newest", "helpful"])
def test_a_page_of_reviews_costs_two_statements_however_many_there_are(api, verified_vendor,
                                                                      sort):
    from tests.e2e.test_query_counts import client, statements_of_this_thread

    # Given three reviews and the token after the first
    lamp = bought_product(api, verified_vendor)
    for _ in range(3):
        buyer_review(api, lamp)
    token = listed(api, lamp, sort=sort, page_size=1)["next_page_token"]
    reviews = client("list_reviews")

    # When the next page of two is read
    with statements_of_this_thread() as seen:
        response = reviews.get(f"/v1/products/{lamp}/reviews",
                               query_string={"sort": sort, "page_size": 2, "page_token": token})

    # Then the product's check and the page itself, nothing per review
    assert response.status_code == 200 and len(response.json["items"]) == 2
    assert len(seen) == 2, seen
