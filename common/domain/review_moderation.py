"""Helpful votes, the vendor's reply, reports, and an admin's hide and restore of a review:
who may do each, and what it changes (an event, and for hide/restore the rating summary).

Plain values in, a refusal or the decision out; the use cases (common/services/
review_moderation.py) load the review under its row lock, ask here, then write.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from common.domain.errors import (
    AlreadyReplied,
    Forbidden,
    InvalidState,
    NotFound,
    OwnReview,
)
from common.domain.events import ReviewHidden, ReviewReplied, ReviewReported, ReviewRestored

NO_SUCH_REVIEW = "No such review."
REPORT_REASON_MAX = 500


class ReviewStatus(str, enum.Enum):
    VISIBLE = "visible"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class ReviewFacts:
    """What the rules need of a review: its ids, rating, status and whether it has a reply."""

    id: str
    product_id: str
    vendor_id: str
    author_id: str
    rating: int
    status: ReviewStatus
    replied: bool


@dataclass(frozen=True)
class StarChange:
    """One review's rating enters (+1) or leaves (-1) the product's rating summary."""

    product_id: str
    rating: int
    delta: int


@dataclass(frozen=True)
class Moderation:
    """An admin's hide or restore: the review's new status, the summary change, the event."""

    status: ReviewStatus
    stars: StarChange
    event: ReviewHidden | ReviewRestored


def public(review: ReviewFacts | None) -> ReviewFacts:
    """The review if the public sees it; NotFound for an unknown or hidden one."""
    if review is None or review.status is not ReviewStatus.VISIBLE:
        raise NotFound(NO_SUCH_REVIEW)
    return review


def check_helpful_vote(review: ReviewFacts | None, voter_id: str) -> ReviewFacts:
    """A customer may mark a visible review helpful unless they wrote it (once each: the
    vote's primary key decides, AlreadyMarkedHelpful)."""
    seen = public(review)
    if seen.author_id == voter_id:
        raise OwnReview()
    return seen


def reply(review: ReviewFacts | None, vendor_id: str, text: str) -> ReviewReplied:
    """The product's vendor replies to a visible review, once; the event of it."""
    seen = public(review)
    if seen.vendor_id != vendor_id:
        raise Forbidden("Only the vendor of the product may reply to its reviews.")
    if seen.replied:
        raise AlreadyReplied()
    return ReviewReplied(review_id=seen.id, product_id=seen.product_id,
                         vendor_id=seen.vendor_id, author_id=seen.author_id, text=text)


def report(review: ReviewFacts | None, reporter_id: str, reason: str) -> ReviewReported:
    """Anyone signed in reports a visible review; the event of a first report by them."""
    seen = public(review)
    return ReviewReported(review_id=seen.id, product_id=seen.product_id,
                          vendor_id=seen.vendor_id, author_id=seen.author_id,
                          reporter_id=reporter_id, reason=reason)


def hide(review: ReviewFacts | None, admin_id: str, reason: str) -> Moderation:
    """Visible → hidden: its rating leaves the summary. InvalidState if hidden already."""
    found = _found(review)
    if found.status is ReviewStatus.HIDDEN:
        raise InvalidState("The review is hidden already.")
    return _moderation(found, ReviewStatus.HIDDEN, ReviewHidden, admin_id, reason)


def restore(review: ReviewFacts | None, admin_id: str, reason: str) -> Moderation:
    """Hidden → visible: its rating is back in the summary. InvalidState if visible."""
    found = _found(review)
    if found.status is ReviewStatus.VISIBLE:
        raise InvalidState("The review is not hidden.")
    return _moderation(found, ReviewStatus.VISIBLE, ReviewRestored, admin_id, reason)


def _moderation(review: ReviewFacts, status: ReviewStatus,
                event: type[ReviewHidden] | type[ReviewRestored], admin_id: str,
                reason: str) -> Moderation:
    delta = -1 if status is ReviewStatus.HIDDEN else +1
    return Moderation(status, StarChange(review.product_id, review.rating, delta), event(
        review_id=review.id, product_id=review.product_id, vendor_id=review.vendor_id,
        author_id=review.author_id, admin_id=admin_id, reason=reason))


def _found(review: ReviewFacts | None) -> ReviewFacts:
    if review is None:
        raise NotFound(NO_SUCH_REVIEW)
    return review
