"""Use cases of a buyer's review: post, edit and delete it, the product's rating summary
changing in the same transaction (docs/decisions/0018-reviews.md)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, Callable, Iterator, Mapping

from common.domain import reviews as rules
from common.domain.errors import AlreadyReviewed, NotFound
from common.domain.identity import Principal
from common.domain.reviews import Decision, ReviewDraft
from common.ports.reviews import ReviewsTransaction, ReviewsUnitOfWorkFactory, StoredReview

NO_SUCH_PRODUCT = "No such product."
# An edit or delete decided on a review that an admin hid or restored meanwhile decides
# again on what it is now; this many times before giving up (never in practice).
ATTEMPTS = 3


def post_review(principal: Principal, product_id: str, draft: ReviewDraft, *,
                uow: ReviewsUnitOfWorkFactory) -> StoredReview:
    """A buyer of the product reviews it once: NotFound, NotABuyer, AlreadyReviewed."""
    review_id = str(uuid.uuid4())
    with uow() as tx:
        product = tx.reviews.product(product_id)
        if product is None:
            raise NotFound(NO_SUCH_PRODUCT)
        purchase = rules.verified_purchase(
            tx.reviews.purchases(principal.account_id, product_id))
        decision = rules.post(review_id, product_id, product.vendor_id, principal.account_id,
                              draft)
        if not tx.reviews.add(review_id, product_id, principal.account_id,
                              purchase.order_line_id, draft):
            raise AlreadyReviewed()
        stored = tx.reviews.get(review_id)
        _apply(tx, product_id, decision)
        tx.commit()
    assert stored is not None  # inserted in this transaction
    return stored


def edit_review(principal: Principal, product_id: str, review_id: str,
                changes: Mapping[str, Any], *, uow: ReviewsUnitOfWorkFactory) -> StoredReview:
    """The author changes their review (any of rating, title, text): NotFound, Forbidden."""
    def attempt(tx: ReviewsTransaction) -> Decision | None:
        review = rules.own(tx.reviews.authored(review_id, product_id), principal.account_id)
        draft = rules.edited(review, changes)
        decision = rules.edit(review, principal.account_id, draft)
        return decision if tx.reviews.rewrite(review, draft) else None

    with _decided(uow, product_id, attempt) as tx:
        stored = tx.reviews.get(review_id)
        tx.commit()
    assert stored is not None  # rewritten in this transaction
    return stored


def delete_review(principal: Principal, product_id: str, review_id: str, *,
                  uow: ReviewsUnitOfWorkFactory) -> None:
    """The author deletes their review: NotFound, Forbidden."""
    def attempt(tx: ReviewsTransaction) -> Decision | None:
        review = tx.reviews.authored(review_id, product_id)
        decision = rules.delete(review, principal.account_id)
        return decision if review and tx.reviews.remove(review) else None

    with _decided(uow, product_id, attempt) as tx:
        tx.commit()


@contextlib.contextmanager
def _decided(uow: ReviewsUnitOfWorkFactory, product_id: str,
             attempt: Callable[[ReviewsTransaction], Decision | None]
             ) -> Iterator[ReviewsTransaction]:
    """The transaction in which `attempt` decided and wrote, its summary change and event
    recorded; `attempt` answers None when the review changed between its read and its
    write, and runs again in a new transaction."""
    for _ in range(ATTEMPTS):
        with uow() as tx:
            decision = attempt(tx)
            if decision is not None:
                _apply(tx, product_id, decision)
                yield tx
                return
    raise RuntimeError(f"a review of {product_id} kept changing in {ATTEMPTS} attempts")


def _apply(tx: ReviewsTransaction, product_id: str, decision: Decision) -> None:
    """The event and the summary's change, in the review's transaction; the summary last,
    right before the commit, so the product's hot summary row stays locked for one round
    trip, not for the rest of the use case (docs/benchmarks.md, "Review posting")."""
    tx.record(decision.event)
    tx.reviews.change_stars(product_id, decision.stars)
