"""The rating summary over real PostgreSQL: exact under concurrent reviews of one product
(its row is the hot row they all update), and its generated score is the domain's."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import text

from common import bootstrap
from common.adapters.database import create_engine
from common.adapters.reviews_unit_of_work import ReviewsUnitOfWork
from common.domain.reviews import STARS, ReviewDraft, ranking_score
from common.services.reviews import delete_review, edit_review, post_review
from tests.integration.reviews.purchases import new_account, new_product, paid_buyer

REVIEWERS = 20


def stored_summary(product_id: str):
    with bootstrap.engine().connect() as db:
        return db.execute(text(
            "SELECT stars_1, stars_2, stars_3, stars_4, stars_5, rating_count, rating_total, "
            "score FROM product_ratings WHERE product_id = :id"), {"id": product_id}).one()


def as_reviews_role(work):  # noqa: ANN001, ANN201
    """Run `work` as the review functions' database role (the role is per thread)."""
    with bootstrap.database_role("bazaar_reviews"):
        return work()


def test_concurrent_reviews_of_one_product_are_each_counted_once(stack):
    # Given twenty buyers of one product, each about to post a review at the same moment
    vendor = new_account("vendor")
    product = new_product(vendor)
    buyers = [paid_buyer(product, vendor) for _ in range(REVIEWERS)]
    ratings = [STARS[n % 5] for n in range(REVIEWERS)]
    start, failures = threading.Barrier(REVIEWERS), []

    def review(buyer, rating):  # noqa: ANN001
        instance = create_engine(bootstrap._database_settings("bazaar_reviews"))
        start.wait()
        try:
            post_review(buyer, product, ReviewDraft(rating, "Title", "Text"),
                        uow=lambda: ReviewsUnitOfWork(instance, relay=None))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            instance.dispose()

    # When they all post at once, each as its own function instance (its own connection)
    threads = [threading.Thread(target=review, args=pair)
               for pair in zip(buyers, ratings, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every review counts exactly once, in its own number of stars
    assert [repr(f.__cause__) for f in failures] == []
    row = stored_summary(product)
    expected = Counter(ratings)
    assert [row.stars_1, row.stars_2, row.stars_3, row.stars_4, row.stars_5] == [
        expected[star] for star in STARS]
    assert (row.rating_count, row.rating_total) == (REVIEWERS, sum(ratings))
    assert row.score == ranking_score(REVIEWERS, sum(ratings))


def test_an_edit_and_a_delete_move_the_stars_in_the_same_transaction(stack):
    # Given one buyer's 5-star review
    vendor = new_account("vendor")
    product = new_product(vendor)
    buyer = paid_buyer(product, vendor)
    posted = as_reviews_role(lambda: post_review(
        buyer, product, ReviewDraft(5, "Title", "Text"), uow=bootstrap.reviews_unit_of_work))

    # When its author makes it 2 stars, then deletes it
    as_reviews_role(lambda: edit_review(buyer, product, posted.id, {"rating": 2},
                                        uow=bootstrap.reviews_unit_of_work))
    after_edit = stored_summary(product)
    as_reviews_role(lambda: delete_review(buyer, product, posted.id,
                                          uow=bootstrap.reviews_unit_of_work))

    # Then the star moved from 5 to 2, and left with the review
    assert (after_edit.stars_5, after_edit.stars_2, after_edit.rating_count) == (0, 1, 1)
    assert tuple(stored_summary(product))[:6] == (0, 0, 0, 0, 0, 0)
    assert stored_summary(product).score == ranking_score(0, 0)


@pytest.mark.parametrize("stars", [
    (0, 0, 0, 0, 1), (0, 0, 0, 5, 5), (3, 0, 0, 0, 0), (1, 2, 3, 4, 5), (0, 0, 0, 0, 0),
    (1000, 0, 7, 0, 99999),
], ids=["one-five", "ten-good", "three-ones", "mixed", "none-left", "large"])
def test_the_generated_score_is_the_domains_ranking_score(stack, stars):
    # Given a product's summary with these counts of each number of stars
    product = new_product(new_account("vendor"))
    with bootstrap.engine().begin() as db:
        db.execute(text(
            "INSERT INTO product_ratings (product_id, stars_1, stars_2, stars_3, stars_4, "
            "stars_5) VALUES (:id, :s1, :s2, :s3, :s4, :s5)"),
            {"id": product, **{f"s{n}": count for n, count in zip(STARS, stars, strict=True)}})

    # When PostgreSQL generates its count, total and score
    row = stored_summary(product)

    # Then they are the domain's, to the last bit
    total = sum(star * count for star, count in zip(STARS, stars, strict=True))
    assert (row.rating_count, row.rating_total) == (sum(stars), total)
    assert row.score == ranking_score(sum(stars), total)
