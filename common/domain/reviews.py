"""Who may review a product, what a review's post, edit or delete changes in the product's
rating summary, and the confidence-aware score that `sort=rating` ranks by.

Plain values in, a refusal or the decision out; common/services/reviews.py loads, asks
here, then writes (docs/decisions/0018-reviews.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from common.domain.errors import Forbidden, NotABuyer, NotFound
from common.domain.events import ReviewDeleted, ReviewEdited, ReviewPosted

STARS = (1, 2, 3, 4, 5)
MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 5000
# The Bayesian prior: every product starts as if PRIOR_WEIGHT reviews had given PRIOR_MEAN
# stars, so one 5-star review does not outrank many 4- and 5-star ones. Migration 0011's
# generated `product_ratings.score` uses the same two numbers (a test keeps them equal).
PRIOR_MEAN = 3.0
PRIOR_WEIGHT = 5
# A purchase in these part states makes its buyer eligible (delivery is not required).
PAID_PART_STATUSES = frozenset({"paid", "shipped", "delivered"})
NO_SUCH_REVIEW = "No such review."
NOT_YOURS = "Only the author of a review may change or delete it."


def ranking_score(count: int, total: int) -> float:
    """The Bayesian average of `count` ratings adding up to `total` stars."""
    return (PRIOR_WEIGHT * PRIOR_MEAN + total) / (PRIOR_WEIGHT + count)


@dataclass(frozen=True)
class RatingSummary:
    """How many visible reviews gave each number of stars (`stars[0]` is 1 star)."""

    stars: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @property
    def count(self) -> int:
        return sum(self.stars)

    @property
    def total(self) -> int:
        return sum(star * n for star, n in zip(STARS, self.stars, strict=True))

    @property
    def average(self) -> float | None:
        """The plain mean, rounded to 2 places; None before the first review."""
        return round(self.total / self.count, 2) if self.count else None

    @property
    def score(self) -> float:
        return ranking_score(self.count, self.total)

    def distribution(self) -> dict[str, int]:
        """{"1": n, …, "5": n}, as the API shows it."""
        return {str(star): n for star, n in zip(STARS, self.stars, strict=True)}

    def changed(self, changes: Mapping[int, int]) -> "RatingSummary":
        """This summary after `changes` ({stars: ±n}); ValueError if a count went negative."""
        stars = tuple(n + changes.get(star, 0) for star, n in zip(STARS, self.stars, strict=True))
        if min(stars) < 0:
            raise ValueError(f"a rating summary cannot hold {stars}")
        return RatingSummary(stars)  # type: ignore[arg-type]


NO_RATINGS = RatingSummary()


@dataclass(frozen=True)
class Purchase:
    """One order line of the product bought by the caller, as the eligibility rule sees it."""

    order_line_id: str
    part_status: str
    quantity: int
    refunded_quantity: int

    @property
    def counts(self) -> bool:
        """Paid (shipped or delivered too) and not fully refunded."""
        return (self.part_status in PAID_PART_STATUSES
                and self.refunded_quantity < self.quantity)


@dataclass(frozen=True)
class ReviewDraft:
    rating: int
    title: str
    text: str


@dataclass(frozen=True)
class AuthoredReview:
    """A stored review, as edit and delete need it."""

    id: str
    product_id: str
    vendor_id: str
    author_id: str
    rating: int
    visible: bool
    title: str
    text: str


@dataclass(frozen=True)
class Decision:
    """What a change of a review does: the summary's changes ({stars: ±1}) and its event."""

    stars: dict[int, int]
    event: ReviewPosted | ReviewEdited | ReviewDeleted


def verified_purchase(purchases: Iterable[Purchase]) -> Purchase:
    """The purchase that lets the caller review; NotABuyer when none counts."""
    for purchase in purchases:
        if purchase.counts:
            return purchase
    raise NotABuyer()


def post(review_id: str, product_id: str, vendor_id: str, author_id: str,
         draft: ReviewDraft) -> Decision:
    """A new (visible) review: its rating joins the summary."""
    check_rating(draft.rating)
    return Decision({draft.rating: +1}, ReviewPosted(
        review_id=review_id, product_id=product_id, vendor_id=vendor_id, author_id=author_id,
        rating=draft.rating, title=draft.title, text=draft.text))


def edited(review: AuthoredReview, changes: Mapping[str, Any]) -> ReviewDraft:
    """The review after `changes` (any of rating, title, text)."""
    return ReviewDraft(rating=changes.get("rating", review.rating),
                       title=changes.get("title", review.title),
                       text=changes.get("text", review.text))


def edit(review: AuthoredReview | None, caller_id: str, draft: ReviewDraft) -> Decision:
    """The author rewrites their review as `draft`; a visible one's rating moves in the
    summary."""
    found = own(review, caller_id)
    check_rating(draft.rating)
    moved = found.visible and draft.rating != found.rating
    stars = {found.rating: -1, draft.rating: +1} if moved else {}
    return Decision(stars, ReviewEdited(
        review_id=found.id, product_id=found.product_id, vendor_id=found.vendor_id,
        author_id=found.author_id, rating=draft.rating, title=draft.title, text=draft.text))


def delete(review: AuthoredReview | None, caller_id: str) -> Decision:
    """The author deletes their review; a visible one's rating leaves the summary."""
    found = own(review, caller_id)
    return Decision({found.rating: -1} if found.visible else {}, ReviewDeleted(
        review_id=found.id, product_id=found.product_id, vendor_id=found.vendor_id,
        author_id=found.author_id))


def own(review: AuthoredReview | None, caller_id: str) -> AuthoredReview:
    """The review if the caller wrote it; NotFound if there is none, Forbidden if not theirs."""
    if review is None:
        raise NotFound(NO_SUCH_REVIEW)
    if review.author_id != caller_id:
        raise Forbidden(NOT_YOURS)
    return review


def first_name(name: str) -> str:
    """What a review shows of its author: the first word of their name."""
    words = name.split()
    return words[0] if words else name


def check_rating(rating: object) -> int:
    """A whole number of stars, 1 to 5 (the request model says so too); ValueError else."""
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in STARS:
        raise ValueError(f"a rating is a whole number of stars from 1 to 5, not {rating!r}")
    return rating

