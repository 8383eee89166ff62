"""A blocked buyer's orders in play are settled: unpaid ones cancelled, held ones rejected,
paid parts not shipped yet refunded through the payment saga (docs/decisions/0027).

It applies to every block, not only fraud's: a blocked buyer's unshipped orders must not
ship. Each step is the use case an admin or the buyer's cancel uses, reads the current
state, and is idempotent (a replayed account.blocked changes nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from common.domain.errors import InvalidState, NotFound, NothingToRefund, OrderNotPaid
from common.domain.fraud_cases import FRAUD_DETECTOR_ID
from common.domain.identity import AccountState, Principal, Role
from common.domain.orders import OrderStatus, PartStatus
from common.domain.refunds import LineRequest, RefundableOrder
from common.logs import log
from common.ports.fraud_cases import FraudCasesTransaction
from common.ports.payments import PaymentProvider
from common.ports.refunds import RefundsUnitOfWork
from common.ports.workflow_executions import WorkflowExecutions

logger = logging.getLogger("bazaar.blocked_orders")
REASON = "account_blocked"
# One refund per order for a blocked buyer (the refunds' unique (order, key)).
REFUND_KEY = "account-blocked"
# The admin principal the refunds are made as: the system account of automatic actions.
SETTLER = Principal(FRAUD_DETECTOR_ID, Role.ADMIN, AccountState.ACTIVE, email_verified=True)


@dataclass(frozen=True)
class SettleCollaborators:
    refunds: RefundsUnitOfWork
    orders_uow: Callable[[], Any]
    payments: PaymentProvider
    sagas: WorkflowExecutions
    orders: Callable[[], Any]  # ordering.Collaborators, for a held order's rejection


def orders_to_settle(account_id: str, tx: FraudCasesTransaction) -> list[tuple[str, str]]:
    """The buyer's unsettled orders, if the account is still blocked (else none: an unblock
    before the delivery keeps them)."""
    account = tx.accounts.get(account_id)
    if account is None or account.state is not AccountState.BLOCKED:
        return []
    return tx.fraud_cases.unsettled_orders(account_id)


def settle_orders(orders: list[tuple[str, str]], deps: SettleCollaborators) -> int:
    """Cancel, reject or refund each order as its status says; how many were acted on."""
    acted = 0
    for order_id, status in orders:
        try:
            acted += _settle(order_id, status, deps)
        except (InvalidState, NotFound, NothingToRefund, OrderNotPaid) as settled:
            log(logger, logging.INFO, "order of a blocked buyer settled already",
                order_id=order_id, error=type(settled).__name__)
    return acted


def _settle(order_id: str, status: str, deps: SettleCollaborators) -> int:
    if status == OrderStatus.PENDING_PAYMENT.value:
        from common.services.purchase_saga import fail_order

        fail_order(order_id, REASON, uow=deps.orders_uow, payments=deps.payments,
                   final_status=OrderStatus.CANCELLED)
        return 1
    if status == "pending_review":
        from common.services import order_review

        order_review.reject_reviewed_order(order_id, REASON, deps.orders())
        return 1
    return _refund_unshipped(order_id, deps)


def _refund_unshipped(order_id: str, deps: SettleCollaborators) -> int:
    """Refund every line of the parts not shipped yet (the vendor's part is then refunded,
    not shippable); shipped parts stay (returns are the buyer's and vendor's business)."""
    from common.services.refunding import request_refund

    with deps.refunds() as tx:
        order = tx.refunds.order(order_id)
    lines = _unshipped_lines(order) if order is not None else []
    if not lines:
        return 0
    request_refund(SETTLER, order_id, lines, REASON, REFUND_KEY, uow=deps.refunds,
                   sagas=deps.sagas)
    return 1


def _unshipped_lines(order: RefundableOrder) -> list[LineRequest]:
    paid = {part for part, status in order.part_statuses.items()
            if status == PartStatus.PAID.value}
    return [LineRequest(line.id, line.quantity_left) for line in order.lines
            if line.part_id in paid and line.quantity_left > 0]
