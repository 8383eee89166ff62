"""The buyer cancels an order before anything shipped: an unpaid one has its payment voided
and goes through the purchase side's decision (reservation released exactly once); a paid
one is cancelled with its stock returned in one transaction, and the payment saga refunds
everything left (docs/decisions/0016)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from common.domain.errors import InvalidState, NotFound
from common.domain.identity import Principal
from common.domain.orders import OrderStatus
from common.domain.refunds import (
    CancelAction,
    OrderRefund,
    RefundableOrder,
    RefundKind,
    cancel_action,
    plan_refund,
)
from common.ports.payments import PaymentProvider
from common.ports.refunds import RefundsUnitOfWork
from common.ports.workflow_executions import WorkflowExecutions
from common.services.refunding import new_refund, start_saga
from common.settings import Settings

CANCEL_KEY = "cancel"  # one cancellation per order: the refunds' unique (order, key)
REASON = "cancelled_by_buyer"


@dataclass(frozen=True)
class Cancellation:
    """The order after the cancel: its status, and the refund of a paid one."""

    order_id: str
    status: str
    refund: OrderRefund | None


def cancel_order(principal: Principal, order_id: str, *, uow: RefundsUnitOfWork,
                 orders_uow: Callable[[], Any], payments: PaymentProvider,
                 sagas: WorkflowExecutions, settings: Settings) -> Cancellation:
    """Cancel the buyer's order; a second cancel answers the order as it is. NotFound for
    anyone else's order, 409 once a part has shipped."""
    order = _order(order_id, uow)
    action = cancel_action(principal, order)
    if action is CancelAction.WITHDRAW_HELD:
        _withdraw_held(order, orders_uow, payments, sagas, settings)
        order = _order(order_id, uow)  # cancelled, or approved meanwhile: then as if unpaid
        action = cancel_action(principal, order)
    if action is CancelAction.VOID_PAYMENT:
        _cancel_unpaid(order, orders_uow, payments)
        order = _order(order_id, uow)  # cancelled, or paid if the payment won the race
        action = cancel_action(principal, order)
    if action is CancelAction.REFUND:
        refund = _cancel_paid(principal, order, uow)
        start_saga(refund, uow=uow, sagas=sagas)
    return current(order_id, uow=uow)


def _order(order_id: str, uow: RefundsUnitOfWork) -> RefundableOrder:
    with uow() as tx:
        order = tx.refunds.order(order_id)
    if order is None:
        raise NotFound("No such order.")
    return order


def _withdraw_held(order: RefundableOrder, orders_uow: Callable[[], Any],
                   payments: PaymentProvider, sagas: WorkflowExecutions,
                   settings: Settings) -> None:
    """The buyer withdraws an order held for a fraud review, as a rejection would end it:
    the authorization voided, the reservation released once, `order.cancelled`. The case
    stays open for the admin; its resolution then finds the order ended. An admin's
    decision that came first wins (InvalidState here: the order is answered as it is)."""
    from common.services.order_review import reject_reviewed_order
    from common.services.ordering import Collaborators

    try:
        reject_reviewed_order(order.id, REASON, Collaborators(orders_uow, payments, sagas,
                                                              settings))
    except InvalidState:
        pass


def _cancel_unpaid(order: RefundableOrder, orders_uow: Callable[[], Any],
                   payments: PaymentProvider) -> None:
    """The purchase side's one decision (common/services/purchase_saga.fail_order): the
    payment voided at the provider (key `order-{id}-cancel`), pending_payment → cancelled
    and the reservation released exactly once; a payment that succeeded meanwhile completes
    the order instead, and the caller refunds it. One still processing is 409."""
    from common.services.purchase_saga import fail_order

    after = fail_order(order.id, REASON, uow=orders_uow, payments=payments,
                       final_status=OrderStatus.CANCELLED)
    if after.status is OrderStatus.PENDING_PAYMENT:
        raise InvalidState("The payment is being processed: cancel again in a moment.")


def _cancel_paid(principal: Principal, order: RefundableOrder,
                 uow: RefundsUnitOfWork) -> OrderRefund:
    """Under the order's lock (its products' first): cancelled, stock back, and a refund of
    everything left requested, in one transaction; the second cancel finds that refund."""
    with uow() as tx:
        tx.refunds.lock_products(sorted({line.product_id for line in order.lines}))
        locked = tx.refunds.order(order.id, lock=True)
        assert locked is not None  # orders are never deleted
        if cancel_action(principal, locked) is CancelAction.NONE:
            found = next((r for r in tx.refunds.for_order(order.id)
                          if r.kind is RefundKind.CANCEL), None)
            if found is None:
                raise InvalidState("The order was cancelled before it was paid.")
            return found
        plan = plan_refund(locked, locked.lines, None)
        refund, created = tx.refunds.add(
            new_refund(order.id, RefundKind.CANCEL, principal, REASON, plan), CANCEL_KEY)
        if created and tx.refunds.cancel_paid(order.id):
            tx.refunds.return_stock({line.product_id: line.quantity for line in plan.lines})
            tx.refunds.add_step(order.id, "cancelled", {
                "by": "buyer", "refund_id": refund.id, "refunded": refund.amount})
        tx.commit()
    return refund


def current(order_id: str, *, uow: RefundsUnitOfWork) -> Cancellation:
    with uow() as tx:
        order = tx.refunds.order(order_id)
        refunds = tx.refunds.for_order(order_id)
    assert order is not None
    cancel = next((r for r in refunds if r.kind is RefundKind.CANCEL), None)
    return Cancellation(order_id, order.status, cancel)
