"""The purchase saga's steps (workflows/purchase.yaml) and the one place that decides an
order's payment: `complete_order` (paid) and `fail_order` (payment_failed or cancelled).

Every step is idempotent: a second call answers the order as it is now. The provider's
state wins: failing an order first cancels its payment at the provider (key
`order-{id}-cancel`), and if the provider says it already succeeded, the order completes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable

from common import faults
from common.domain.errors import InvalidState, NotFound
from common.domain.events import Event, OrderCancelled, OrderPaid, OrderPaymentFailed, PaidPart
from common.domain.order_records import Order, moves_forward, outcome_of
from common.domain.orders import OrderStatus
from common.domain.payments import PaymentAttempt
from common.domain.residency import zone_of
from common.logs import log
from common.ports.payments import PaymentProvider

logger = logging.getLogger("bazaar.orders")
UnitOfWork = Callable[[], Any]  # OrdersUnitOfWork: `orders` and `decisions`
MIN_WAIT_S = 1


def load_order(order_id: str, *, uow: UnitOfWork) -> Order:
    with uow() as tx:
        order = tx.orders.get(order_id)
    if order is None:
        raise NotFound("No such order.")
    return order


def attach_payment_callback(order_id: str, callback_url: str, execution_id: str,
                            timeout_s: int, *, uow: UnitOfWork) -> dict[str, Any]:
    """Keep the saga's callback URL on the payment (under its row lock) and say what it
    should do: `outcome` succeeded/failed if the provider already told us, `settled` or
    `superseded` if nothing waits for this execution, else wait up to `wait_s`."""
    with uow() as tx:
        order = tx.orders.get(order_id, steps=False)
        if order is None:
            raise NotFound("No such order.")
        if order.status is not OrderStatus.PENDING_PAYMENT:
            return {"outcome": "settled", "status": order.status.value, "wait_s": 0}
        if order.execution_name and not order.execution_name.endswith("/" + execution_id):
            return {"outcome": "superseded", "status": order.status.value, "wait_s": 0}
        payment = tx.orders.lock_payment(order.payment.id)
        if payment.callback_url != callback_url:
            tx.orders.attach_callback(payment.id, callback_url)
            tx.orders.add_step(order_id, "awaiting_payment", {"method": payment.method})
        tx.commit()
    remaining = (order.reservation_expires_at - datetime.now(timezone.utc)).total_seconds()
    wait_s = max(MIN_WAIT_S, int(min(timeout_s, remaining)))
    return {"outcome": outcome_of(payment.status), "status": payment.status,
            "wait_s": wait_s if remaining > 0 else 0}


def record_attempt(payment_id: str, attempt: PaymentAttempt, *, uow: UnitOfWork,
                   kind: str | None = None) -> None:
    """What the provider's API answered about a payment, kept only if it is news."""
    from common.adapters.postgres_orders import attempt_state

    status, action = attempt_state(attempt)
    with uow() as tx:
        payment = tx.orders.lock_payment(payment_id)
        forward = moves_forward(payment.status, status, payment.amount_received,
                                attempt.amount_received)
        # A webhook that came first moved the status but cannot say what the buyer must do.
        fills = action is not None and payment.next_action is None and status == payment.status
        if forward or fills or payment.provider_ref is None:
            tx.orders.update_payment(
                payment, status if forward else payment.status, attempt.amount_received,
                provider_ref=attempt.payment_ref,
                next_action=action if forward or fills else payment.next_action,
                decline_code=attempt.decline.code if attempt.decline else None)
            tx.orders.add_payment_event(payment_id, kind or status, attempt.amount_received,
                                        detail={"provider_ref": attempt.payment_ref})
        tx.commit()


def complete_order(order_id: str, *, uow: UnitOfWork,
                   payments: PaymentProvider | None) -> Order:
    """pending_payment → paid, once, and only if the provider says the payment succeeded
    (InvalidState otherwise); the reservation becomes committed; `order.paid`."""
    order = load_order(order_id, uow=uow)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return order
    payment = order.payment
    if outcome_of(payment.status) != "succeeded" and payment.provider_ref and payments:
        record_attempt(payment.id, payments.get_payment(payment.provider_ref), uow=uow)
        payment = load_order(order_id, uow=uow).payment
    if outcome_of(payment.status) != "succeeded":
        raise InvalidState("The order's payment has not succeeded.")
    with uow() as tx:
        if tx.decisions.mark_paid(order_id):
            tx.orders.add_step(order_id, "paid", {"amount": order.total})
            tx.orders.add_payment_event(payment.id, "order_paid", order.total)
            tx.record(OrderPaid(
                order_id=order_id, buyer_id=order.buyer_id, payment_id=payment.id,
                total=order.total, parts=tuple(PaidPart(p.id, p.vendor_id, p.subtotal,
                                                        p.commission) for p in order.parts),
                zone=zone_of(str(order.shipping_address.get("country", "")))))
            log(logger, logging.INFO, "order paid", order_id=order_id)
        tx.commit()
    faults.reached("complete_after_commit")
    return load_order(order_id, uow=uow)


def fail_order(order_id: str, reason: str, *, uow: UnitOfWork,
               payments: PaymentProvider | None,
               final_status: OrderStatus = OrderStatus.PAYMENT_FAILED) -> Order:
    """pending_payment → payment_failed (or cancelled), the reservation released exactly
    once, `order.payment_failed` (or `order.cancelled`); the payment is cancelled at the
    provider first, and if it succeeded there the order completes instead. A payment still
    processing leaves the order pending."""
    order = load_order(order_id, uow=uow)
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return order
    payment = order.payment
    if payment.provider_ref and payments and outcome_of(payment.status) != "failed":
        attempt = _cancel(payments, payment.provider_ref, order_id)
        record_attempt(payment.id, attempt, uow=uow)
        settled = outcome_of(attempt.status.value)
        if settled == "succeeded":
            return complete_order(order_id, uow=uow, payments=payments)
        if settled is None:
            log(logger, logging.WARNING, "payment cannot be cancelled yet", order_id=order_id,
                status=attempt.status.value)
            return load_order(order_id, uow=uow)
    with uow() as tx:
        if tx.decisions.mark_failed(order_id, final_status.value, reason):
            tx.orders.add_step(order_id, final_status.value, {"reason": reason})
            tx.orders.add_step(order_id, "stock_released", {"reason": reason})
            tx.record(_failed_event(order, final_status, reason))
            log(logger, logging.INFO, "order failed", order_id=order_id, reason=reason)
        tx.commit()
    faults.reached("fail_after_commit")
    return load_order(order_id, uow=uow)


def _failed_event(order: Order, final_status: OrderStatus, reason: str) -> Event:
    """`order.payment_failed`, or for the buyer's cancel of an unpaid order `order.cancelled`
    with nothing refunded (no money was taken, so no part has anything to give back)."""
    if final_status is OrderStatus.CANCELLED:
        return OrderCancelled(order_id=order.id, buyer_id=order.buyer_id, refunded_amount=0,
                              parts=())
    return OrderPaymentFailed(order_id=order.id, buyer_id=order.buyer_id, reason=reason)


def _cancel(payments: PaymentProvider, payment_ref: str, order_id: str) -> PaymentAttempt:
    """Cancel at the provider; a payment past cancelling (succeeded, failed) is read instead."""
    try:
        return payments.cancel(payment_ref, idempotency_key=f"order-{order_id}-cancel")
    except InvalidState:
        return payments.get_payment(payment_ref)
