"""Who may review a product, the rating summary's arithmetic, the ranking score, and what
the request models refuse (common/domain/reviews.py, common/api/review_schemas.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from common.api.review_schemas import EditReview, PostReview
from common.domain import reviews as rules
from common.domain.errors import Forbidden, NotABuyer, NotFound
from common.domain.events import ReviewDeleted, ReviewEdited, ReviewPosted
from common.domain.reviews import AuthoredReview, Purchase, RatingSummary, ReviewDraft

AUTHOR, OTHER = "author-1", "other-1"


def purchase(status: str = "paid", quantity: int = 2, refunded: int = 0) -> Purchase:
    return Purchase("line-1", status, quantity, refunded)


def authored(rating: int = 4, visible: bool = True) -> AuthoredReview:
    return AuthoredReview("r1", "p1", "v1", AUTHOR, rating, visible, "Title", "Text")


@pytest.mark.parametrize("status", ["paid", "shipped", "delivered"])
def test_a_paid_line_not_fully_refunded_makes_its_buyer_eligible(status):
    assert rules.verified_purchase([purchase(status, quantity=2, refunded=1)]).order_line_id \
        == "line-1"


@pytest.mark.parametrize("purchases", [
    [],
    [purchase("pending_payment")],
    [purchase("cancelled")],
    [purchase("refunded", quantity=2, refunded=2)],
    [purchase("delivered", quantity=2, refunded=2)],
], ids=["never-bought", "unpaid", "cancelled", "refunded-part", "every-unit-refunded"])
def test_anyone_else_is_not_a_buyer_with_the_seeds_message(purchases):
    with pytest.raises(NotABuyer) as refused:
        rules.verified_purchase(purchases)

    assert refused.value.status == 403
    assert refused.value.detail == ("Leaving a rating and review is not allowed: only "
                                    "customers who bought this product can review it.")


def test_one_counting_purchase_among_others_is_enough():
    lines = [purchase("cancelled"), Purchase("line-2", "shipped", 1, 0)]

    assert rules.verified_purchase(lines).order_line_id == "line-2"


def test_a_post_adds_its_stars_and_carries_what_fraud_screening_reads():
    decision = rules.post("r1", "p1", "v1", AUTHOR, ReviewDraft(5, "Great", "<b>Loud</b>"))

    assert decision.stars == {5: +1}
    assert decision.event == ReviewPosted(
        id=decision.event.id, occurred_at=decision.event.occurred_at, review_id="r1",
        product_id="p1", vendor_id="v1", author_id=AUTHOR, rating=5, title="Great",
        text="<b>Loud</b>")


@pytest.mark.parametrize("old,new,visible,stars", [
    (4, 2, True, {4: -1, 2: +1}),
    (4, 4, True, {}),
    (4, 2, False, {}),
], ids=["rating-moves", "same-rating", "hidden-review"])
def test_an_edit_moves_a_visible_reviews_stars(old, new, visible, stars):
    decision = rules.edit(authored(old, visible), AUTHOR, ReviewDraft(new, "T", "X"))

    assert decision.stars == stars
    assert isinstance(decision.event, ReviewEdited) and decision.event.rating == new


@pytest.mark.parametrize("visible,stars", [(True, {3: -1}), (False, {})],
                         ids=["visible", "hidden"])
def test_a_delete_takes_a_visible_reviews_stars_away(visible, stars):
    decision = rules.delete(authored(3, visible), AUTHOR)

    assert decision.stars == stars
    assert isinstance(decision.event, ReviewDeleted) and decision.event.review_id == "r1"


def test_only_the_author_edits_or_deletes_and_a_missing_review_is_not_found():
    with pytest.raises(Forbidden):
        rules.edit(authored(), OTHER, ReviewDraft(1, "T", "X"))
    with pytest.raises(Forbidden):
        rules.delete(authored(), OTHER)
    with pytest.raises(NotFound):
        rules.delete(None, AUTHOR)


def test_an_edit_keeps_what_it_does_not_change():
    assert rules.edited(authored(4), {"rating": 1}) == ReviewDraft(1, "Title", "Text")
    assert rules.edited(authored(4), {"text": "New"}) == ReviewDraft(4, "Title", "New")


def test_the_summary_counts_totals_and_distributes_the_stars():
    summary = RatingSummary().changed({5: +1}).changed({5: +1}).changed({2: +1})

    assert (summary.count, summary.total, summary.average) == (3, 12, 4.0)
    assert summary.distribution() == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 2}
    assert summary.changed({5: -1, 1: +1}).distribution() == {
        "1": 1, "2": 1, "3": 0, "4": 0, "5": 1}


def test_an_empty_summary_has_no_average_and_never_goes_negative():
    assert (RatingSummary().count, RatingSummary().average) == (0, None)
    with pytest.raises(ValueError):
        RatingSummary().changed({3: -1})


def test_the_score_is_the_bayesian_average_with_its_prior():
    assert (rules.PRIOR_MEAN, rules.PRIOR_WEIGHT) == (3.0, 5)
    assert rules.ranking_score(0, 0) == 3.0
    assert rules.ranking_score(1, 5) == pytest.approx(20 / 6)
    assert rules.ranking_score(10, 45) == pytest.approx(60 / 15)


def test_many_good_reviews_outrank_a_single_five():
    ten_good = RatingSummary((0, 0, 0, 5, 5))
    one_five = RatingSummary((0, 0, 0, 0, 1))

    assert one_five.average is not None and ten_good.average is not None
    assert one_five.average > ten_good.average
    assert ten_good.score > one_five.score


def test_a_review_shows_its_authors_first_name_only():
    assert rules.first_name("Ada  Lovelace") == "Ada"
    assert rules.first_name("Cher") == "Cher"


@pytest.mark.parametrize("body", [
    {"rating": 0, "title": "T", "text": "X"},
    {"rating": 6, "title": "T", "text": "X"},
    {"rating": 4.5, "title": "T", "text": "X"},
    {"rating": "5", "title": "T", "text": "X"},
    {"rating": True, "title": "T", "text": "X"},
    {"rating": 5, "title": "   ", "text": "X"},
    {"rating": 5, "title": "T", "text": ""},
    {"rating": 5, "title": "T" * 121, "text": "X"},
    {"rating": 5, "title": "T", "text": "X" * 5001},
    {"rating": 5, "title": "Bell\x07", "text": "X"},
    {"rating": 5, "title": "Two\nlines", "text": "X"},
    {"rating": 5, "title": "T", "text": "Escape \x1b[31m"},
    {"rating": 5, "title": "T", "text": "Return\r\n"},
    {"rating": 5, "title": "T", "text": "Next line \x85"},
    {"rating": 5, "title": "T", "text": "X", "verified_purchase": True},
], ids=["rating-0", "rating-6", "fractional", "string", "boolean", "blank-title",
        "empty-text", "long-title", "long-text", "bell-in-title", "newline-in-title",
        "escape-in-text", "carriage-return-in-text", "c1-control-in-text", "unknown-field"])
def test_a_review_request_refuses_bad_input(body):
    with pytest.raises(ValidationError):
        PostReview.model_validate(body)


def test_a_review_keeps_markup_newlines_and_tabs_verbatim():
    body = PostReview.model_validate({"rating": 5, "title": " <script>alert(1)</script> ",
                                      "text": "line one\n\tline two"})

    assert (body.rating, body.title, body.text) == (
        5, "<script>alert(1)</script>", "line one\n\tline two")


def test_an_edit_sends_at_least_one_field_and_changes_only_those():
    with pytest.raises(ValidationError):
        EditReview.model_validate({})
    assert EditReview.model_validate({"rating": 2}).changes() == {"rating": 2}
