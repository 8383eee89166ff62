"""The scheduled jobs that finish orders nothing else will: the reservation expiry sweep
and the reconciler of orders whose saga ended (or vanished) without deciding. Each claims
its orders with a lease (SKIP LOCKED), then works with no transaction open; every step it
takes is the saga's own, idempotent step."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from common.domain.errors import ServiceUnavailable
from common.domain.order_records import CREATING, outcome_of
from common.domain.orders import OrderStatus
from common.domain.payments import PaymentStatus
from common.logs import log
from common.ports.workflow_executions import ExecutionNotFound, ExecutionStatus
from common.services.ordering import Collaborators, resume, start_saga
from common.services.purchase_saga import complete_order, fail_order, load_order

logger = logging.getLogger("bazaar.orders")
BATCH = 100
LEASE_S = 120
# A placement still running may not have started its payment or saga yet.
PLACEMENT_GRACE_S = 60


def expire_reservations(deps: Collaborators) -> dict[str, int]:
    """Fail the pending orders whose reservation expired (cancelling the payment first;
    one the provider says succeeded completes instead)."""
    with deps.uow() as tx:
        claimed = tx.decisions.claim_expired(BATCH, LEASE_S)
        tx.commit()
    outcomes = {"failed": 0, "paid": 0, "pending": 0}
    for order_id in claimed:
        order = fail_order(order_id, "reservation_expired", uow=deps.uow,
                           payments=deps.payments)
        outcomes[_bucket(order.status)] += 1
    return outcomes


def reconcile_orders(deps: Collaborators) -> dict[str, int]:
    """Pending orders whose execution is gone, failed, cancelled or never started: decide
    from the provider's state, or start a new execution if the payment still waits."""
    with deps.uow() as tx:
        claimed = tx.decisions.claim_pending(BATCH, LEASE_S)
        tx.commit()
    done = {"paid": 0, "failed": 0, "restarted": 0, "resumed": 0, "waiting": 0}
    for order_id in claimed:
        try:
            done[_reconcile(order_id, deps)] += 1
        except ServiceUnavailable as error:
            log(logger, logging.WARNING, "order not reconciled", order_id=order_id,
                dependency=error.dependency)
    return done


def _reconcile(order_id: str, deps: Collaborators) -> str:
    order = load_order(order_id, uow=deps.uow)
    young = datetime.now(timezone.utc) - order.created_at < timedelta(seconds=PLACEMENT_GRACE_S)
    if order.execution_name is None or order.payment.status == CREATING:
        if young:
            return "waiting"
        resume(order_id, deps)  # the placement died: its steps again, same provider key
        return "resumed"
    if _execution_alive(order.execution_name, deps):
        return "waiting"
    payment = order.payment
    if payment.provider_ref:
        from common.services.purchase_saga import record_attempt

        record_attempt(payment.id, deps.payments.get_payment(payment.provider_ref),
                       uow=deps.uow)
        payment = load_order(order_id, uow=deps.uow).payment
    outcome = outcome_of(payment.status)
    if outcome == "succeeded":
        complete_order(order_id, uow=deps.uow, payments=deps.payments)
        return "paid"
    if outcome == "failed" or payment.status == PaymentStatus.CANCELED.value:
        fail_order(order_id, "payment_failed", uow=deps.uow, payments=deps.payments)
        return "failed"
    start_saga(order, deps, replacing=order.execution_name)
    return "restarted"


def _execution_alive(name: str, deps: Collaborators) -> bool:
    try:
        return deps.executions.get(name).state is ExecutionStatus.ACTIVE
    except ExecutionNotFound:  # the stand-in restarted, or the execution expired
        return False


def _bucket(status: OrderStatus) -> str:
    if status is OrderStatus.PENDING_PAYMENT:
        return "pending"
    return "paid" if status is OrderStatus.PAID else "failed"
