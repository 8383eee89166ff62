"""Review moderation rules in plain values: who may vote, reply, report, hide and restore,
what each refuses with, and the summary change and event each decides."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from common.domain.errors import (
    AlreadyReplied,
    Forbidden,
    InvalidRequest,
    InvalidState,
    NotFound,
    OwnReview,
)
from common.domain.events import ReviewHidden, ReviewReplied, ReviewReported, ReviewRestored
from common.domain.review_moderation import (
    ReviewFacts,
    ReviewStatus,
    StarChange,
    check_helpful_vote,
    hide,
    reply,
    report,
    restore,
)
from common.domain.review_pages import ReviewKey, ReviewSort, review_cursor, review_token

AUTHOR, VENDOR, OTHER, ADMIN = "author-1", "vendor-1", "customer-2", "admin-1"


def review(status: ReviewStatus = ReviewStatus.VISIBLE, *, rating: int = 4,
           replied: bool = False) -> ReviewFacts:
    return ReviewFacts("review-1", "product-1", VENDOR, AUTHOR, rating, status, replied)


HIDDEN = review(ReviewStatus.HIDDEN)
IDS = {"review_id": "review-1", "product_id": "product-1", "vendor_id": VENDOR,
       "author_id": AUTHOR}


# Helpful votes --------------------------------------------------------------------------

def test_another_customer_may_mark_a_visible_review_helpful():
    # Given a visible review, When another customer votes, Then it is allowed
    assert check_helpful_vote(review(), OTHER) == review()


def test_the_author_may_not_mark_their_own_review_helpful():
    with pytest.raises(OwnReview) as refused:
        check_helpful_vote(review(), AUTHOR)
    assert (refused.value.status, refused.value.code) == (403, "own_review")


@pytest.mark.parametrize("facts", [None, HIDDEN], ids=["unknown", "hidden"])
def test_no_vote_on_a_review_the_public_does_not_see(facts):
    with pytest.raises(NotFound) as refused:
        check_helpful_vote(facts, OTHER)
    assert refused.value.detail == "No such review."


# Replies --------------------------------------------------------------------------------

def test_the_products_vendor_replies_once_and_the_event_carries_the_text():
    # When the vendor replies to a review without a reply
    event = reply(review(), VENDOR, "Thanks <b>a lot</b>!")

    # Then the event names the review's parties and carries the text verbatim
    assert isinstance(event, ReviewReplied)
    assert event.payload() == {**IDS, "text": "Thanks <b>a lot</b>!"}


@pytest.mark.parametrize("who", [OTHER, AUTHOR, "vendor-2"],
                         ids=["a-customer", "the-author", "another-vendor"])
def test_only_the_products_vendor_may_reply(who):
    with pytest.raises(Forbidden) as refused:
        reply(review(), who, "Thanks")
    assert refused.value.status == 403


def test_a_second_reply_is_a_conflict():
    with pytest.raises(AlreadyReplied) as refused:
        reply(review(replied=True), VENDOR, "Again")
    assert (refused.value.status, refused.value.code) == (409, "already_replied")


@pytest.mark.parametrize("facts", [None, HIDDEN], ids=["unknown", "hidden"])
def test_no_reply_to_a_review_the_public_does_not_see(facts):
    with pytest.raises(NotFound):
        reply(facts, VENDOR, "Thanks")


# Reports --------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [OTHER, VENDOR, AUTHOR, ADMIN])
def test_anyone_signed_in_reports_a_visible_review(who):
    event = report(review(), who, "Spam link")

    assert isinstance(event, ReviewReported)
    assert event.payload() == {**IDS, "reporter_id": who, "reason": "Spam link"}


@pytest.mark.parametrize("facts", [None, HIDDEN], ids=["unknown", "hidden"])
def test_no_report_of_a_review_the_public_does_not_see(facts):
    with pytest.raises(NotFound):
        report(facts, OTHER, "Spam")


# Hide and restore -----------------------------------------------------------------------

@pytest.mark.parametrize("rating", [1, 3, 5])
def test_hiding_takes_the_rating_out_of_the_summary(rating):
    # When an admin hides a visible review
    decided = hide(review(rating=rating), ADMIN, "Abusive language")

    # Then it becomes hidden, one star of its rating leaves the summary, and the event says so
    assert decided.status is ReviewStatus.HIDDEN
    assert decided.stars == StarChange("product-1", rating, -1)
    assert isinstance(decided.event, ReviewHidden)
    assert decided.event.payload() == {**IDS, "admin_id": ADMIN, "reason": "Abusive language"}


@pytest.mark.parametrize("rating", [1, 3, 5])
def test_restoring_puts_the_rating_back(rating):
    decided = restore(dataclasses.replace(HIDDEN, rating=rating), ADMIN, "Reviewed again")

    assert decided.status is ReviewStatus.VISIBLE
    assert decided.stars == StarChange("product-1", rating, +1)
    assert isinstance(decided.event, ReviewRestored)
    assert decided.event.payload() == {**IDS, "admin_id": ADMIN, "reason": "Reviewed again"}


def test_hide_then_restore_leaves_the_summary_as_it_was():
    hidden = hide(review(rating=2), ADMIN, "Checking")
    restored = restore(dataclasses.replace(review(rating=2), status=hidden.status), ADMIN, "Ok")

    assert hidden.stars.delta + restored.stars.delta == 0


@pytest.mark.parametrize("act,facts,message", [
    (hide, HIDDEN, "The review is hidden already."),
    (restore, review(), "The review is not hidden."),
], ids=["hide-hidden", "restore-visible"])
def test_moderating_into_the_state_it_is_in_is_a_conflict(act, facts, message):
    with pytest.raises(InvalidState) as refused:
        act(facts, ADMIN, "Again")
    assert (refused.value.status, refused.value.detail) == (409, message)


@pytest.mark.parametrize("act", [hide, restore])
def test_moderating_an_unknown_review_is_not_found(act):
    with pytest.raises(NotFound):
        act(None, ADMIN, "Why")


# Page tokens of the list ----------------------------------------------------------------

KEY = b"k" * 32
LAST = ReviewKey(datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=timezone.utc),
                 "0b6f3c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f", 7)


@pytest.mark.parametrize("sort,expected", [
    (ReviewSort.NEWEST, dataclasses.replace(LAST, helpful_count=0)),
    (ReviewSort.HELPFUL, LAST),
], ids=["newest", "helpful"])
def test_a_page_token_carries_the_last_reviews_key_to_the_microsecond(sort, expected):
    token = review_token(sort, "product-1", LAST, KEY)

    assert review_cursor(sort, "product-1", token, KEY) == expected


@pytest.mark.parametrize("sort,product", [
    (ReviewSort.HELPFUL, "product-1"), (ReviewSort.NEWEST, "product-2"),
], ids=["other-sort", "other-product"])
def test_a_page_token_is_good_for_its_own_list_only(sort, product):
    token = review_token(ReviewSort.NEWEST, "product-1", LAST, KEY)

    with pytest.raises(InvalidRequest) as refused:
        review_cursor(sort, product, token, KEY)
    assert refused.value.extra == {
        "errors": [{"field": "page_token", "message": "is not a token this API issued"}]}


def test_a_forged_helpful_count_out_of_range_is_refused():
    from common.domain.page_tokens import issue

    token = issue({"t": LAST.created_at.isoformat(), "i": LAST.id, "h": -1}, KEY,
                  purpose="reviews:product-1:helpful")

    with pytest.raises(InvalidRequest):
        review_cursor(ReviewSort.HELPFUL, "product-1", token, KEY)
