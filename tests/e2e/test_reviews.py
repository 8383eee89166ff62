"""Reviews over HTTP (shared/api.md, "Reviews and chat"): only buyers review, once; the
product's summary and distribution follow every post, edit and delete; sort=rating ranks by
the confidence-aware score; bad input is 422 and writes nothing; markup stays inert text."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from common import bootstrap
from tests.e2e.client import Api, User
from tests.integration.refunds.orders import eventually, paid_order, product, refund_row

NOT_A_BUYER = ("Leaving a rating and review is not allowed: only customers who bought this "
               "product can review it.")
REVIEW = {"rating": 4, "title": "Bright and warm", "text": "Lights the whole desk.\nGood."}


def post_review(api: Api, user: User, product_id: str, body: dict):
    return api.post(f"/v1/products/{product_id}/reviews", headers=user.auth, json=body)


def review_path(product_id: str, review_id: str) -> str:
    return f"/v1/products/{product_id}/reviews/{review_id}"


def rating_of(api: Api, product_id: str) -> dict:
    response = api.get(f"/v1/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["rating"]


def stars(**counts: int) -> dict[str, int]:
    """A distribution: stars(s5=2, s4=1) → {"1": 0, …, "4": 1, "5": 2}."""
    return {str(n): counts.get(f"s{n}", 0) for n in range(1, 6)}


def reviews_by(author_id: str) -> int:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT count(*) FROM reviews WHERE author_id = :id"),
                          {"id": author_id}).scalar_one()


def buyer_of(api: Api, product_id: str) -> User:
    """A new customer who bought and paid one unit of the product."""
    buyer = api.register("customer")
    paid_order(api, buyer, [(product_id, 1)])
    return buyer


@pytest.fixture
def lamp(api, verified_vendor) -> str:
    return product(api, verified_vendor, price=2500, stock=50)


def test_a_buyer_reviews_and_the_product_shows_its_summary(api, lamp):
    # Given a customer who bought the lamp (paid, not yet delivered)
    buyer = buyer_of(api, lamp)

    # When they review it
    response = post_review(api, buyer, lamp, REVIEW)

    # Then the review is a verified purchase, and the product's summary counts it
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("product_id", "rating", "title", "text", "verified_purchase",
                                 "helpful_count", "edited_at", "reply")} == {
        "product_id": lamp, "rating": 4, "title": REVIEW["title"], "text": REVIEW["text"],
        "verified_purchase": True, "helpful_count": 0, "edited_at": None, "reply": None}
    assert body["author"] == {"id": buyer.id, "name": "Test"}
    assert rating_of(api, lamp) == {"count": 1, "average": 4.0, "distribution": stars(s4=1)}


def test_a_product_never_reviewed_has_an_empty_summary(api, lamp):
    assert rating_of(api, lamp) == {"count": 0, "average": None, "distribution": stars()}


def test_the_author_edits_and_deletes_and_the_summary_follows(api, lamp):
    # Given two buyers' reviews: 5 and 3 stars
    first, second = buyer_of(api, lamp), buyer_of(api, lamp)
    review = post_review(api, first, lamp, {**REVIEW, "rating": 5}).json()
    assert post_review(api, second, lamp, {**REVIEW, "rating": 3}).status_code == 201

    # When the first author changes 5 stars to 2
    edited = api.patch(review_path(lamp, review["id"]), headers=first.auth, json={"rating": 2})

    # Then the distribution moves, and the text is unchanged
    assert edited.status_code == 200, edited.text
    assert (edited.json()["rating"], edited.json()["text"]) == (2, REVIEW["text"])
    assert edited.json()["edited_at"] is not None
    assert rating_of(api, lamp) == {"count": 2, "average": 2.5,
                                    "distribution": stars(s2=1, s3=1)}

    # When they delete it, the summary is the other review's alone
    deleted = api.delete(review_path(lamp, review["id"]), headers=first.auth)
    assert deleted.status_code == 204, deleted.text
    assert rating_of(api, lamp) == {"count": 1, "average": 3.0, "distribution": stars(s3=1)}
    assert api.delete(review_path(lamp, review["id"]), headers=first.auth).status_code == 404


def test_someone_else_cannot_edit_or_delete_a_review(api, lamp, customer):
    # Given a buyer's review
    buyer = buyer_of(api, lamp)
    review = post_review(api, buyer, lamp, REVIEW).json()

    # When another customer edits or deletes it
    patch = api.patch(review_path(lamp, review["id"]), headers=customer.auth, json={"rating": 1})
    delete = api.delete(review_path(lamp, review["id"]), headers=customer.auth)

    # Then both are forbidden, and nothing changed
    assert (patch.status_code, patch.json()["code"]) == (403, "forbidden")
    assert (delete.status_code, delete.json()["code"]) == (403, "forbidden")
    assert rating_of(api, lamp) == {"count": 1, "average": 4.0, "distribution": stars(s4=1)}


def test_an_unknown_review_or_product_is_not_found(api, lamp, customer):
    buyer = buyer_of(api, lamp)
    review = post_review(api, buyer, lamp, REVIEW).json()
    unknown = "00000000-0000-4000-8000-000000000000"

    assert api.patch(review_path(lamp, unknown), headers=buyer.auth,
                     json={"rating": 1}).status_code == 404
    assert api.delete(review_path(unknown, review["id"]), headers=buyer.auth).status_code == 404
    assert post_review(api, customer, unknown, REVIEW).status_code == 404


def test_a_customer_who_never_bought_it_is_not_a_buyer(api, lamp, customer):
    response = post_review(api, customer, lamp, REVIEW)

    assert response.status_code == 403
    assert (response.json()["code"], response.json()["detail"]) == ("not_a_buyer", NOT_A_BUYER)
    assert reviews_by(customer.id) == 0


def test_a_fully_refunded_buyer_is_not_a_buyer(api, admin, lamp):
    # Given a buyer whose order was refunded in full by an admin
    buyer = api.register("customer")
    paid = paid_order(api, buyer, [(lamp, 1)])
    refund = api.post(f"/v1/orders/{paid['id']}:refund", headers=admin.auth,
                      json={"reason": "Goodwill"})
    assert refund.status_code == 200, refund.text
    done = eventually(lambda: refund_row(refund.json()["id"]), lambda r: r.status != "requested")
    assert done.status == "succeeded"

    # When they review the product
    response = post_review(api, buyer, lamp, REVIEW)

    # Then they are refused with the seed's message
    assert (response.status_code, response.json()["code"]) == (403, "not_a_buyer")
    assert response.json()["detail"] == NOT_A_BUYER


def test_a_second_review_of_the_same_product_is_a_conflict(api, lamp):
    buyer = buyer_of(api, lamp)
    assert post_review(api, buyer, lamp, REVIEW).status_code == 201

    again = post_review(api, buyer, lamp, {**REVIEW, "rating": 1})

    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    assert rating_of(api, lamp) == {"count": 1, "average": 4.0, "distribution": stars(s4=1)}


@pytest.mark.parametrize("change", [
    {"rating": 0}, {"rating": 6}, {"rating": 4.5}, {"rating": "5"}, {"title": ""},
    {"title": "T" * 121}, {"text": "X" * 5001}, {"title": "Ding \x07"},
    {"text": "Red \x1b[31m text"}, {"text": None},
], ids=["rating-0", "rating-6", "fractional", "string", "empty-title", "long-title",
        "long-text", "bell-in-title", "escape-in-text", "null-text"])
def test_bad_input_is_422_and_nothing_is_written(api, lamp, change):
    # Given a buyer of the lamp with a review already
    buyer = buyer_of(api, lamp)
    review = post_review(api, buyer, lamp, REVIEW).json()

    # When they send the bad field in a new review and in an edit of theirs
    posted = post_review(api, buyer, lamp, {**REVIEW, **change})
    edited = api.patch(review_path(lamp, review["id"]), headers=buyer.auth, json=change)

    # Then both are 422 invalid_request, and the review and summary are as they were
    assert (posted.status_code, posted.json()["code"]) == (422, "invalid_request")
    assert (edited.status_code, edited.json()["code"]) == (422, "invalid_request")
    assert reviews_by(buyer.id) == 1
    assert rating_of(api, lamp) == {"count": 1, "average": 4.0, "distribution": stars(s4=1)}


def test_a_bad_first_review_writes_nothing(api, lamp):
    buyer = buyer_of(api, lamp)

    response = post_review(api, buyer, lamp, {**REVIEW, "text": "Beep \x07"})

    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    assert reviews_by(buyer.id) == 0
    assert rating_of(api, lamp)["count"] == 0


def test_markup_is_stored_verbatim_and_returned_as_a_json_string(api, lamp):
    # Given a buyer whose review is full of markup
    buyer = buyer_of(api, lamp)
    markup = {"rating": 5, "title": "<script>alert(1)</script>",
              "text": "<img src=x onerror=alert(1)> & \"quotes\""}

    # When they post it
    response = post_review(api, buyer, lamp, markup)

    # Then it is kept character for character, as JSON text (never HTML)
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert (response.json()["title"], response.json()["text"]) == (markup["title"],
                                                                  markup["text"])
    with bootstrap.engine().connect() as db:
        stored = db.execute(text("SELECT title, body FROM reviews WHERE id = :id"),
                            {"id": response.json()["id"]}).one()
    assert tuple(stored) == (markup["title"], markup["text"])


def test_sort_by_rating_puts_ten_good_reviews_above_a_single_five(api, verified_vendor):
    # Given two products of one vendor: ten 4- and 5-star reviews, and a single 5
    many = product(api, verified_vendor, price=3000, stock=50)
    single = product(api, verified_vendor, price=3100, stock=5)
    for n in range(10):
        buyer = buyer_of(api, many)
        assert post_review(api, buyer, many, {**REVIEW, "rating": 4 + n % 2}).status_code == 201
    assert post_review(api, buyer_of(api, single), single,
                       {**REVIEW, "rating": 5}).status_code == 201

    # When the vendor's products are sorted by rating
    response = api.get("/v1/products", params={"vendor_id": verified_vendor.id,
                                               "sort": "rating"})

    # Then the well-reviewed one comes first, though its plain average (4.5) is lower
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["id"] for item in items] == [many, single]
    assert [item["rating"] for item in items] == [
        {"count": 10, "average": 4.5, "distribution": stars(s4=5, s5=5)},
        {"count": 1, "average": 5.0, "distribution": stars(s5=1)}]
