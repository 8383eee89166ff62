"""Use cases around a posted review: a customer marks it helpful, the product's vendor
replies, anyone signed in reports it, an admin hides or restores it (the rating summary
changing in the same transaction, the action audited)."""

from __future__ import annotations

import uuid
from typing import Callable

from common.domain import review_moderation as rules
from common.domain.errors import AlreadyMarkedHelpful, NotFound
from common.domain.identity import Principal
from common.domain.review_moderation import Moderation, ReviewFacts, ReviewStatus
from common.ports.review_moderation import (
    ReviewModerationTransaction,
    ReviewModerationUnitOfWorkFactory,
)
from common.ports.reviews import StoredReview

# A write decided on a review that changed meanwhile decides again on what it is now;
# this many times before giving up (never in practice).
ATTEMPTS = 3
NO_SUCH_REVIEW = rules.NO_SUCH_REVIEW


def mark_helpful(principal: Principal, review_id: str, *,
                 uow: ReviewModerationUnitOfWorkFactory) -> StoredReview:
    """One helpful vote per customer: NotFound, OwnReview, AlreadyMarkedHelpful."""
    _check_id(review_id)
    with uow() as tx:
        rules.check_helpful_vote(tx.moderation.facts(review_id), principal.account_id)
        if not tx.moderation.count_helpful(review_id):
            raise NotFound(NO_SUCH_REVIEW)
        if not tx.moderation.add_helpful_vote(review_id, principal.account_id):
            raise AlreadyMarkedHelpful()
        return _committed(tx, review_id)


def reply_to_review(principal: Principal, review_id: str, text: str, *,
                    uow: ReviewModerationUnitOfWorkFactory) -> StoredReview:
    """The product's vendor replies once: NotFound, Forbidden, AlreadyReplied."""
    _check_id(review_id)
    for _ in range(ATTEMPTS):
        with uow() as tx:
            event = rules.reply(tx.moderation.facts(review_id), principal.account_id, text)
            if tx.moderation.add_reply(review_id, principal.account_id, text):
                tx.record(event)
                return _committed(tx, review_id)
    raise RuntimeError(f"review {review_id} kept changing under {ATTEMPTS} attempts")


def report_review(principal: Principal, review_id: str, reason: str, *,
                  uow: ReviewModerationUnitOfWorkFactory) -> None:
    """Report a visible review (NotFound otherwise); the same reporter again changes nothing."""
    _check_id(review_id)
    with uow() as tx:
        event = rules.report(tx.moderation.facts(review_id), principal.account_id, reason)
        if not tx.moderation.count_report(review_id):
            raise NotFound(NO_SUCH_REVIEW)
        if tx.moderation.add_report(review_id, principal.account_id, reason):
            tx.record(event)
            tx.commit()
        # else: reported by them already; the count's increment rolls back with the block


def hide_review(review_id: str, reason: str, *, admin_id: str,
                uow: ReviewModerationUnitOfWorkFactory) -> ReviewStatus:
    """Visible → hidden, out of the list and the summary: NotFound, InvalidState."""
    return _moderate(rules.hide, "review.hide", review_id, reason, admin_id, uow)


def restore_review(review_id: str, reason: str, *, admin_id: str,
                   uow: ReviewModerationUnitOfWorkFactory) -> ReviewStatus:
    """Hidden → visible, back in the list and the summary: NotFound, InvalidState."""
    return _moderate(rules.restore, "review.restore", review_id, reason, admin_id, uow)


Decide = Callable[[ReviewFacts | None, str, str], Moderation]


def _moderate(decide: Decide, action: str, review_id: str, reason: str, admin_id: str,
              uow: ReviewModerationUnitOfWorkFactory) -> ReviewStatus:
    """Decide on the review as read; write only if it is still so (else read again)."""
    _check_id(review_id)
    for _ in range(ATTEMPTS):
        with uow() as tx:
            review = tx.moderation.facts(review_id)
            decided = decide(review, admin_id, reason)
            assert review is not None  # decide refused a missing one
            if tx.moderation.set_status(review, decided.status, reason):
                stars = decided.stars
                tx.reviews.change_stars(stars.product_id, {stars.rating: stars.delta})
                tx.accounts.record_admin_action(admin_id, action, review_id, reason)
                tx.record(decided.event)
                tx.commit()
                return decided.status
    raise RuntimeError(f"review {review_id} kept changing under {ATTEMPTS} attempts")


def _committed(tx: ReviewModerationTransaction, review_id: str) -> StoredReview:
    """The review as it is now, then commit."""
    stored = tx.reviews.get(review_id)
    assert stored is not None  # its row is locked by this transaction's write
    tx.commit()
    return stored


def _check_id(review_id: str) -> None:
    """A path id that is not a UUID names no review (and never reaches SQL)."""
    try:
        uuid.UUID(review_id)
    except ValueError:
        raise NotFound(NO_SUCH_REVIEW) from None
