"""Refunds of lines by an admin or the vendor, and the payment saga's steps that execute
and record every refund (cancellations' too): decide in one transaction, give the money
back at the provider outside it, record the outcome in another (docs/decisions/0016)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Literal

from common import faults
from common.domain.errors import InvalidRequest, InvalidState, NotFound, ServiceUnavailable
from common.domain.events import Event, OrderCancelled, OrderRefunded, RefundedPart
from common.domain.identity import Principal
from common.domain.payments import RefundReason
from common.domain.refunds import (
    REFUNDABLE,
    LineRequest,
    OrderRefund,
    RefundKind,
    RefundPlan,
    RefundStatus,
    parts_fully_refunded,
    plan_refund,
    refund_scope,
    statuses_after,
)
from common.logs import log
from common.ports.payments import PaymentProvider
from common.ports.refunds import PaidPayment, RefundsTransaction, RefundsUnitOfWork
from common.ports.workflow_executions import WorkflowExecutions

logger = logging.getLogger("bazaar.refunds")
PAYMENT_SAGA = "payment"
Outcome = Literal["executed", "failed", "succeeded"]


def request_refund(principal: Principal, order_id: str, lines: Sequence[LineRequest] | None,
                   reason: str, idempotency_key: str | None, *, uow: RefundsUnitOfWork,
                   sagas: WorkflowExecutions) -> OrderRefund:
    """An admin (any line) or the vendor (its part's lines) refunds `lines`, or everything
    left in its scope: recorded `requested`, then executed by the payment saga. One refund
    per caller's Idempotency-Key and order."""
    with uow() as tx:
        order = tx.refunds.order(order_id, lock=True)
        if order is None:
            raise NotFound("No such order.")
        plan = plan_refund(order, refund_scope(principal, order), lines)
        refund = new_refund(order_id, RefundKind.REFUND, principal, reason, plan)
        key = f"{principal.account_id}:{idempotency_key or refund.id}"
        refund, created = tx.refunds.add(refund, key)
        if created:
            tx.refunds.add_step(order_id, "refund_requested", _detail(refund))
        tx.commit()
    return start_saga(refund, uow=uow, sagas=sagas)


def new_refund(order_id: str, kind: RefundKind, principal: Principal, reason: str,
               plan: RefundPlan) -> OrderRefund:
    return OrderRefund(
        str(uuid.uuid4()), order_id, kind, RefundStatus.REQUESTED, plan.amount,
        sum(line.commission_returned for line in plan.lines), reason, principal.account_id,
        principal.role.value, plan.lines)


def start_saga(refund: OrderRefund, *, uow: RefundsUnitOfWork,
               sagas: WorkflowExecutions) -> OrderRefund:
    """Start the payment saga of a requested refund not yet started (after its commit).
    If Workflows cannot be reached the refund stays requested: reconcile_refunds runs it."""
    if refund.status is not RefundStatus.REQUESTED or refund.execution_name:
        return refund
    try:
        name = sagas.start(PAYMENT_SAGA, {"refund_id": refund.id})
    except ServiceUnavailable:
        log(logger, logging.ERROR, "payment saga not started: the reconciler will run it",
            refund_id=refund.id)
        return refund
    with uow() as tx:
        tx.refunds.set_execution(refund.id, name)
        tx.commit()
    return _replace_execution(refund, name)


def execute_refund(refund_id: str, *, uow: RefundsUnitOfWork,
                   payments: PaymentProvider) -> Outcome:
    """The saga's first step: give the money back at the provider, once (key
    `refund-{refund_id}`). A refusal marks the refund failed (nothing recorded); an outage
    raises ProviderUnavailable (503) for the saga to retry."""
    with uow() as tx:
        refund = _existing(tx, refund_id)
        payment = tx.refunds.payment(refund.order_id)
        email = _instructions_email(tx, payment)
    if refund.status is not RefundStatus.REQUESTED:
        return refund.status.value
    if refund.provider_refund_ref:
        return "executed"
    if payment is None or not payment.payment_ref:
        return _fail(uow, refund, "no_payment")
    reason = RefundReason.REQUESTED_BY_CUSTOMER if refund.kind is RefundKind.CANCEL else None
    try:
        given = payments.refund(payment.payment_ref, amount=refund.amount, reason=reason,
                                refund_id=refund.id, instructions_email=email,
                                idempotency_key=f"refund-{refund.id}")
    except InvalidState:
        return _fail(uow, refund, "provider_refused")
    faults.reached("refund_after_provider")
    if given.status in ("failed", "canceled"):
        return _fail(uow, refund, f"provider_{given.status}")
    with uow() as tx:
        tx.refunds.mark_executed(refund.id, given.refund_ref)
        tx.commit()
    return "executed"


def _instructions_email(tx: RefundsTransaction, payment: PaidPayment | None) -> str | None:
    """The buyer's email for a bank transfer's refund: the provider asks there for the bank
    account to send it to. Other methods go back the way they came and need none."""
    if payment is None or payment.method != "bank_transfer":
        return None
    return tx.accounts.email(payment.payer_id)


def _fail(uow: RefundsUnitOfWork, refund: OrderRefund, why: str) -> Outcome:
    with uow() as tx:
        if tx.refunds.finish(refund.id, RefundStatus.FAILED.value, why):
            tx.refunds.add_step(refund.order_id, "refund_failed",
                                {**_detail(refund), "reason": why})
        tx.commit()
    log(logger, logging.ERROR, "refund refused by the payment provider", refund_id=refund.id,
        order_id=refund.order_id, why=why)
    return "failed"


def record_refund(refund_id: str, *, uow: RefundsUnitOfWork) -> Outcome:
    """The saga's second step, one transaction: the lines' refunded quantities, the parts'
    and order's statuses, the refund succeeded, and `order.refunded` / `order.cancelled`.
    Idempotent: a refund no longer requested is answered as it is."""
    with uow() as tx:
        found = _existing(tx, refund_id)
        order = tx.refunds.order(found.order_id, lock=True)
        refund = tx.refunds.get(refund_id, lock=True)
        assert order is not None and refund is not None  # both exist: foreign key
        if refund.status is not RefundStatus.REQUESTED:
            return refund.status.value
        if not refund.provider_refund_ref:
            raise InvalidState("The refund was not executed at the provider yet.")
        tx.refunds.finish(refund.id, RefundStatus.SUCCEEDED.value)
        tx.refunds.add_to_lines(refund.lines)
        if refund.kind is RefundKind.REFUND and order.status in REFUNDABLE:
            parts, status = statuses_after(order.status, order.part_statuses,
                                           parts_fully_refunded(order.lines, refund.lines))
            tx.refunds.set_statuses(order.id, status, parts)
        payment = tx.refunds.payment(order.id)
        if payment is not None:
            tx.refunds.add_payment_event(payment.payment_id, "refunded", refund.amount, {
                "refund_id": refund.id, "provider_refund_ref": refund.provider_refund_ref})
        tx.refunds.add_step(order.id, "refund_succeeded", _detail(refund))
        tx.record(_event(refund, order.buyer_id))
        tx.commit()
    return "succeeded"


def _event(refund: OrderRefund, buyer_id: str) -> Event:
    parts = tuple(RefundedPart(p.part_id, p.vendor_id, p.amount, p.commission_returned)
                  for p in refund.parts())
    if refund.kind is RefundKind.CANCEL:
        return OrderCancelled(order_id=refund.order_id, buyer_id=buyer_id,
                              refunded_amount=refund.amount, parts=parts, refund_id=refund.id)
    return OrderRefunded(order_id=refund.order_id, refund_id=refund.id, amount=refund.amount,
                         parts=parts)


def _existing(tx: RefundsTransaction, refund_id: str) -> OrderRefund:
    refund = tx.refunds.get(refund_id)
    if refund is None:
        raise NotFound("No such refund.")
    return refund


def _detail(refund: OrderRefund) -> dict:
    """What the order's steps show of a refund: ids and amounts, never the free-text reason."""
    return {"refund_id": refund.id, "kind": refund.kind.value, "amount": refund.amount,
            "by": refund.requester_role,
            "lines": [{"line_id": line.line_id, "quantity": line.quantity,
                       "amount": line.amount} for line in refund.lines]}


def refund_id_of(body: object) -> str:
    """The refund a saga step is about: `{"refund_id": "<uuid>"}` (422 otherwise)."""
    refund_id = body.get("refund_id") if isinstance(body, dict) else None
    try:
        return str(uuid.UUID(str(refund_id)))
    except ValueError:
        raise InvalidRequest.at("refund_id", "the id of a refund") from None


def _replace_execution(refund: OrderRefund, name: str) -> OrderRefund:
    import dataclasses

    return dataclasses.replace(refund, execution_name=name)


def order_refunds(order_id: str, *, uow: RefundsUnitOfWork) -> list[OrderRefund]:
    with uow() as tx:
        return tx.refunds.for_order(order_id)


# Stripe keeps an idempotency key 24 hours: past that, executing again could refund twice.
PROVIDER_KEY_LIFETIME_S = 23 * 3600
STALE_AFTER_S = 5 * 60


def reconcile_refunds(*, uow: RefundsUnitOfWork, payments: PaymentProvider,
                      stale_after_s: float = STALE_AFTER_S, limit: int = 50) -> dict[str, int]:
    """Finish refunds whose saga died (requested, untouched for minutes): execute them
    again under their own key (the provider answers with the refund it made, or makes it
    now), then record them, or fail them if the provider refuses."""
    counts = {"recorded": 0, "failed": 0, "left": 0}
    with uow() as tx:
        stale = tx.refunds.stale(stale_after_s, limit)
    for refund_id, age_s in stale:
        if age_s > PROVIDER_KEY_LIFETIME_S:
            with uow() as tx:
                refund = _existing(tx, refund_id)
            if not refund.provider_refund_ref:
                log(logger, logging.ERROR, "refund needs an operator: its provider key expired",
                    refund_id=refund_id)
                counts["left"] += 1
                continue
        try:
            outcome = execute_refund(refund_id, uow=uow, payments=payments)
            if outcome == "executed":
                outcome = record_refund(refund_id, uow=uow)
        except ServiceUnavailable:
            counts["left"] += 1
            continue
        counts["recorded" if outcome == "succeeded" else "failed"] += 1
    return counts
