"""Promotions move on by themselves: the minute job activates and ends them by common.clock,
and an unlisted product or a blocked vendor ends theirs at once, the whole days not yet
begun refunded where the fee came from (docs/decisions/0021-promotions.md, "Lifecycle")."""

from __future__ import annotations

import logging
from datetime import datetime

from common import clock
from common.domain.events import PromotionActivated, PromotionEnded
from common.domain.identity import AccountState
from common.domain.promotion_lifecycle import EndReason, Transition, due_transition, end_early
from common.domain.promotions import PromotionStatus
from common.logs import log
from common.ports.payments import PaymentProvider
from common.ports.promotion_lifecycle import (
    PromotionLifecycleUnitOfWork,
    PromotionLifecycleUnitOfWorkFactory,
    VendorPromotion,
)
from common.services.promotion_purchase import end_promotion, settle_card_refunds

logger = logging.getLogger("bazaar.promotions")
BATCH = 200
MAX_BATCHES = 25  # one run moves at most this many batches; the next minute's run goes on
LISTED_AT_MOST = 100


def advance_promotions(uow: PromotionLifecycleUnitOfWorkFactory,
                       payments: PaymentProvider) -> dict[str, int]:
    """Activate the scheduled promotions whose start passed and end the ones whose end
    passed, by common.clock.now(), one batch per transaction until none is left; then make
    the card refunds recorded but not yet made (the early ends', a cancel's the provider
    did not take)."""
    moved = {"activated": 0, "ended": 0, "card_refunds": 0}
    for _ in range(MAX_BATCHES):
        now = clock.now()
        with uow() as tx:
            due = tx.lifecycle.claim_due(now, BATCH)
            for item in due:
                transition = due_transition(item.promotion, now,
                                            product_listed=item.product_listed,
                                            vendor_active=item.vendor_active)
                if transition is not None:
                    _apply(tx, transition, now)
                    moved["activated" if transition.status is PromotionStatus.ACTIVE
                          else "ended"] += 1
            tx.commit()
        if len(due) < BATCH:
            break
    moved["card_refunds"] = settle_card_refunds(uow=uow, payments=payments)
    return moved


def end_promotions_of_product(product_id: str, tx: PromotionLifecycleUnitOfWork) -> int:
    """The product was unlisted: if it still is (a product can be listed again; a late
    delivery must not end the promotions bought since), end its scheduled and active
    promotions now, refunding their unused whole days; how many ended."""
    product = tx.promotions.product(product_id)
    if product is None or product.listed:
        return 0
    return _end_all(tx.lifecycle.lock_running_of_product(product_id), tx,
                    EndReason.PRODUCT_UNLISTED)


def end_promotions_of_vendor(vendor_id: str, tx: PromotionLifecycleUnitOfWork) -> int:
    """The account was blocked: if it still is (its current state, not the event's), end its
    scheduled and active promotions now, refunding their unused whole days."""
    # No row lock (the role may not UPDATE accounts): an unblock committing meanwhile still
    # sees the promotions ended, as if this had run before it, and the refund made.
    account = tx.accounts.principal(vendor_id)
    if account is None or account.state is not AccountState.BLOCKED:
        return 0
    return _end_all(tx.lifecycle.lock_running_of_vendor(vendor_id), tx,
                    EndReason.VENDOR_BLOCKED)


def make_card_refunds(uow: PromotionLifecycleUnitOfWorkFactory,
                      payments: PaymentProvider) -> int:
    """After a consumer's commit: make the card refunds its early ends recorded (a failure
    is left to advance_promotions, which retries with the same key)."""
    return settle_card_refunds(uow=uow, payments=payments)


def promotions_of_vendor(vendor_id: str, *,
                         uow: PromotionLifecycleUnitOfWorkFactory) -> list[VendorPromotion]:
    """The vendor's promotions, newest first (at most LISTED_AT_MOST), with their counters."""
    with uow() as tx:
        return tx.lifecycle.of_vendor(vendor_id, LISTED_AT_MOST)


def _end_all(promotion_ids: list[str], tx: PromotionLifecycleUnitOfWork,
             reason: EndReason) -> int:
    now = clock.now()
    for promotion_id in promotion_ids:
        promotion = tx.promotions.get(promotion_id, for_update=True)
        assert promotion is not None  # locked as running a moment ago
        _apply(tx, end_early(promotion, now, reason), now)
    return len(promotion_ids)


def _apply(tx: PromotionLifecycleUnitOfWork, transition: Transition, now: datetime) -> None:
    """Store the transition (with the refund journal of an early end: promotion_purchase's
    `end_promotion`) and its event in the caller's transaction; a card refund it recorded
    is made at the provider after the commit (`settle_card_refunds`)."""
    promotion = transition.promotion
    if transition.status is PromotionStatus.ACTIVE:
        tx.lifecycle.activate(promotion.id)
        tx.record(PromotionActivated(promotion_id=promotion.id, product_id=promotion.product_id,
                                     vendor_id=promotion.vendor_id,
                                     ends_at=promotion.ends_at.isoformat()))
        log(logger, logging.INFO, "promotion activated", promotion_id=promotion.id)
        return
    assert transition.reason is not None
    ended = end_promotion(tx, promotion, transition.at or now, status=PromotionStatus.ENDED,
                          reason=transition.reason.value)
    tx.record(PromotionEnded(promotion_id=promotion.id, product_id=promotion.product_id,
                             vendor_id=promotion.vendor_id, reason=transition.reason.value,
                             refund=ended.refunded_amount - promotion.refunded_amount))
