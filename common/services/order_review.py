"""The end of a fraud review of a held order (pending_review): approved, it goes on as any
order (a card's authorization captured first, then the purchase saga); rejected or past
FRAUD_REVIEW_MAX_S, it is cancelled, the authorization voided and the stock released.

For a card the provider decides a race between approve and reject: the capture and the void
of one authorization cannot both succeed; the loser answers InvalidState and changes nothing.
Without an authorization the conditional update of the order decides
(docs/decisions/0026-orders-held-for-fraud-review.md).
"""

from __future__ import annotations

import logging

from common import clock
from common.domain.errors import InvalidState
from common.domain.order_records import Order
from common.domain.orders import OrderStatus
from common.domain.payments import PaymentAttempt, PaymentStatus
from common.logs import log
from common.services.order_screening import end_held_order
from common.services.ordering import Collaborators, resume
from common.services.purchase_saga import load_order, record_attempt

logger = logging.getLogger("bazaar.orders")
BATCH = 100
LEASE_S = 120
EXPIRED = "fraud_review_expired"


def approve_reviewed_order(order_id: str, deps: Collaborators) -> Order:
    """Let a held order go on: the card's authorization captured (it then completes as
    paid through its saga), any other method's payment started as at placement.
    InvalidState if it is not held for review, or its authorization is not complete."""
    order = _held(order_id, deps)
    if order.payment_method == "card" and order.payment.provider_ref is None:
        order = resume(order_id, deps)  # the authorization a crash left unstarted (same key)
    if order.payment.provider_ref is not None:
        _capture(order, deps)
    with deps.uow() as tx:
        won = tx.decisions.end_review(order_id, deps.settings.reservation_ttl_s[
            order.payment_method])
        if won:
            tx.orders.add_step(order_id, "review_approved")
        tx.commit()
    if not won:
        raise InvalidState("The order's review already ended.")
    log(logger, logging.INFO, "held order approved", order_id=order_id)
    return resume(order_id, deps)


def reject_reviewed_order(order_id: str, reason: str, deps: Collaborators) -> Order:
    """Cancel a held order: its authorization voided (key `order-{id}-cancel`), the stock
    released, `order.cancelled`. InvalidState if it is not held, or was approved first."""
    order = _held(order_id, deps)
    payment = order.payment
    if payment.provider_ref is not None and payment.status not in ("failed", "canceled"):
        attempt = _void(payment.provider_ref, order_id, deps)
        record_attempt(payment.id, attempt, uow=deps.uow)
        if attempt.status is not PaymentStatus.CANCELED:
            raise InvalidState("The order's payment was taken: its review already ended.")
    if not end_held_order(order, OrderStatus.CANCELLED, reason, deps.uow):
        raise InvalidState("The order's review already ended.")
    return load_order(order_id, uow=deps.uow)


def expire_reviews(deps: Collaborators) -> dict[str, int]:
    """Reject the held orders whose review outlived FRAUD_REVIEW_MAX_S (as an admin would)."""
    with deps.uow() as tx:
        claimed = tx.decisions.claim_expired_reviews(clock.now(), BATCH, LEASE_S)
        tx.commit()
    done = {"reviews_expired": 0, "reviews_kept": 0}
    for order_id in claimed:
        done[_expire(order_id, deps)] += 1
    return done


def _expire(order_id: str, deps: Collaborators) -> str:
    """Reject it; one whose card was captured (an approval that stopped half-way) goes on."""
    try:
        reject_reviewed_order(order_id, EXPIRED, deps)
        return "reviews_expired"
    except InvalidState:
        pass
    try:
        approve_reviewed_order(order_id, deps)
    except InvalidState:  # decided meanwhile
        pass
    return "reviews_kept"


def _held(order_id: str, deps: Collaborators) -> Order:
    order = load_order(order_id, uow=deps.uow)
    if order.status is not OrderStatus.PENDING_REVIEW:
        raise InvalidState("The order is not held for a fraud review.")
    return order


def _capture(order: Order, deps: Collaborators) -> None:
    """Capture the held card's authorization once (key `order-{id}-capture`)."""
    payment = order.payment
    ref = str(payment.provider_ref)
    if payment.status != PaymentStatus.SUCCEEDED.value:
        current = deps.payments.get_payment(ref)
        if current.status is PaymentStatus.AUTHORIZED:
            current = deps.payments.capture(ref, idempotency_key=f"order-{order.id}-capture")
        record_attempt(payment.id, current, uow=deps.uow)
        if current.status is not PaymentStatus.SUCCEEDED:
            raise InvalidState("The card's authorization is not complete "
                               f"(payment {current.status.value}).")


def _void(payment_ref: str, order_id: str, deps: Collaborators) -> PaymentAttempt:
    """Void the authorization; one past voiding (captured) is read instead."""
    try:
        return deps.payments.cancel(payment_ref, idempotency_key=f"order-{order_id}-cancel")
    except InvalidState:
        return deps.payments.get_payment(payment_ref)
