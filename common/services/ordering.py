"""Placing an order (POST /v1/orders): the fraud worker asked first (no transaction open;
common/services/order_screening.py), then reserve the stock and write the order in one short
transaction, then, with no transaction open, start the payment at the provider and the
purchase saga. An order held for a fraud review (pending_review) only has its card
authorized; common/services/order_review.py approves or rejects it. The order is its own
idempotency record: a replay of the buyer's key returns the order as it is now and resumes
whatever step a crash interrupted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from common import clock, faults
from common.domain.errors import IdempotencyKeyReused, PaymentDeclined, ServiceUnavailable
from common.domain.fraud import CaseDraft
from common.domain.order_records import CREATING, Order
from common.domain.orders import (
    OrderItem,
    OrderStatus,
    check_items,
    ensure_in_stock,
    ensure_may_buy,
    plan_order,
)
from common.domain.payments import CaptureMode, NewPayment, PaymentStatus
from common.logs import log
from common.ports.fraud import FraudScreening
from common.ports.payments import PaymentProvider
from common.ports.workflow_executions import WorkflowExecutions
from common.services import order_screening as screening
from common.services.purchase_saga import UnitOfWork, fail_order, load_order, record_attempt
from common.settings import BANK_TRANSFER_COUNTRIES, Settings

logger = logging.getLogger("bazaar.orders")
PURCHASE_WORKFLOW = "purchase"


@dataclass(frozen=True)
class OrderRequest:
    items: tuple[OrderItem, ...]
    method: str
    shipping_address: dict[str, Any]
    idempotency_key: str
    request_hash: str
    payment_method_token: str | None = None
    return_url: str | None = None
    device_id: str | None = None  # what the fraud check sees of the client
    ip: str | None = None
    client_country: str | None = None


@dataclass(frozen=True)
class Placed:
    order: Order
    replayed: bool


@dataclass(frozen=True)
class Collaborators:
    uow: UnitOfWork
    payments: PaymentProvider
    executions: WorkflowExecutions
    settings: Settings
    screening: FraudScreening | None = None  # None: not screened now (deferred)


def place_order(principal: Any, request: OrderRequest, deps: Collaborators) -> Placed:
    """Place (or replay) the buyer's order. Raises the order rules' refusals, PaymentDeclined
    (402: the order failed at once, stock back) and ProviderUnavailable (503: the order
    waits, reserved; a replay of the key resumes it) and FraudRejected (403: refused by the
    fraud check, nothing reserved). A replay is not screened again."""
    ensure_may_buy(principal)
    basket = check_items(request.items)
    order_id = _existing(principal.account_id, request, deps.uow)
    replayed = order_id is not None
    if order_id is None:
        order_id, replayed = _reserve(principal.account_id, basket, request, deps)
    try:
        order = resume(order_id, deps)
    except PaymentDeclined:
        if replayed:
            return Placed(load_order(order_id, uow=deps.uow), True)
        raise
    return Placed(order, replayed)


def _existing(buyer_id: str, request: OrderRequest, uow: UnitOfWork) -> str | None:
    with uow() as tx:
        order_id = tx.orders.order_for_key(buyer_id, request.idempotency_key)
        order = tx.orders.get(str(order_id), steps=False) if order_id else None
    if order is not None and order.request_hash != request.request_hash:
        raise IdempotencyKeyReused()
    return order.id if order else None


def _reserve(buyer_id: str, basket: tuple[OrderItem, ...], request: OrderRequest,
             deps: Collaborators) -> tuple[str, bool]:
    """One transaction: lock the products (by id), check, take the stock with conditional
    decrements, write the order; (its id, False), or the concurrent twin's (id, True).
    Screened first: a refused order raises FraudRejected, a held one is pending_review."""
    order_id = screening.order_id_for(buyer_id, request.idempotency_key)
    payment_id, settings = str(uuid.uuid4()), deps.settings
    with deps.uow() as tx:
        asked = screening.screening_of(order_id, buyer_id, basket, request, tx, settings)
    decision = screening.screen(asked, deps.screening)
    case = screening.case_for(asked, decision)
    if case is not None and case.action != "order_held":
        screening.refuse(case, deps.uow)
    with deps.uow() as tx:
        offers = tx.orders.lock_offers([item.product_id for item in basket])
        plan = plan_order(basket, offers, request.method, rates_bp=settings.commission_rates_bp,
                          default_bp=settings.commission_default_bp)
        ensure_in_stock(plan.quantities, {pid: offer.stock for pid, offer in offers.items()})
        if tx.orders.take_stock(plan.quantities):  # cannot happen under the row locks
            raise ServiceUnavailable("stock")
        fields = {"method": request.method, "address": request.shipping_address,
                  "key": request.idempotency_key, "hash": request.request_hash,
                  "ttl_s": settings.reservation_ttl_s[request.method],
                  "token": request.payment_method_token, "return_url": request.return_url,
                  "review_until": _review_until(case, settings)}
        if not tx.orders.add_order(order_id, payment_id, buyer_id, plan, fields):
            twin = tx.orders.order_for_key(buyer_id, request.idempotency_key)
            return _existing(buyer_id, request, deps.uow) or str(twin), True
        tx.orders.add_step(order_id, "placed", {"total": plan.total})
        tx.orders.add_step(order_id, "stock_reserved", {"products": len(plan.quantities)})
        if case is not None:
            screening.open_case(tx, case)
            tx.orders.add_step(order_id, "held_for_review")
        tx.record(screening.placed_event(order_id, buyer_id, plan.total, asked, decision))
        tx.commit()
    faults.reached("order_after_reserve")
    log(logger, logging.INFO, "order placed", order_id=order_id, method=request.method)
    return order_id, False


def _review_until(case: CaseDraft | None, settings: Settings) -> Any:
    if case is None:
        return None
    return clock.now() + timedelta(seconds=settings.fraud_review_max_s)


def resume(order_id: str, deps: Collaborators) -> Order:
    """Do what the order still lacks: its payment at the provider, then its saga; for an
    order held for review, only a card's authorization (captured if it is approved)."""
    order = load_order(order_id, uow=deps.uow)
    if order.status is OrderStatus.PENDING_REVIEW:
        if order.payment_method == "card" and order.payment.status == CREATING:
            _start_payment(order, deps, CaptureMode.MANUAL)
            order = load_order(order_id, uow=deps.uow)
        return order
    if order.status is OrderStatus.PENDING_PAYMENT and _action_unknown(order):
        record_attempt(order.payment.id, deps.payments.get_payment(
            str(order.payment.provider_ref)), uow=deps.uow)
        order = load_order(order_id, uow=deps.uow)
    if order.status is OrderStatus.PENDING_PAYMENT and order.payment.status == CREATING:
        _start_payment(order, deps)
        order = load_order(order_id, uow=deps.uow)
    if order.status is OrderStatus.PENDING_PAYMENT and order.execution_name is None:
        start_saga(order, deps)
        order = load_order(order_id, uow=deps.uow)
    return order


def _action_unknown(order: Order) -> bool:
    """The provider's webhook recorded that the buyer must act, but not how (the API's
    answer, which says it, was lost): the provider is asked for the payment again."""
    payment = order.payment
    return (payment.status == "requires_action" and payment.next_action is None
            and payment.provider_ref is not None)


def _start_payment(order: Order, deps: Collaborators,
                   capture: CaptureMode = CaptureMode.AUTOMATIC) -> None:
    """Create and confirm the payment (key `order-{id}-payment`: a retry never charges
    twice). A decline fails the order at once through fail_order and is raised."""
    try:
        attempt = deps.payments.start_payment(_new_payment(order, deps, capture),
                                              idempotency_key=f"order-{order.id}-payment")
    except PaymentDeclined as declined:
        _record_decline(order, declined, deps)
        raise
    faults.reached("order_after_provider_payment")
    record_attempt(order.payment.id, attempt, uow=deps.uow, kind="created")
    faults.reached("order_after_payment_recorded")
    if attempt.status is PaymentStatus.FAILED:
        _fail(order, deps, deps.payments)


def _record_decline(order: Order, declined: PaymentDeclined, deps: Collaborators) -> None:
    with deps.uow() as tx:
        payment = tx.orders.lock_payment(order.payment.id)
        tx.orders.update_payment(payment, "failed", 0, provider_ref=declined.payment_ref,
                                 next_action=None, decline_code=declined.decline.code)
        tx.orders.add_payment_event(payment.id, "declined", 0,
                                    detail={"decline_code": declined.decline.code})
        tx.commit()
    _fail(order, deps, None)
    declined.extra.update(order_id=order.id, decline_code=declined.decline.code)


def _fail(order: Order, deps: Collaborators, payments: PaymentProvider | None) -> None:
    if order.status is OrderStatus.PENDING_REVIEW:
        screening.end_held_order(order, OrderStatus.PAYMENT_FAILED, "payment_declined",
                                 deps.uow)
    else:
        fail_order(order.id, "payment_declined", uow=deps.uow, payments=payments)


def _new_payment(order: Order, deps: Collaborators,
                 capture: CaptureMode = CaptureMode.AUTOMATIC) -> NewPayment:
    customer_ref = None
    country = None
    if order.payment_method == "bank_transfer":
        customer_ref = _customer_ref(order.buyer_id, deps)
        shipping = str(order.shipping_address.get("country", ""))
        country = (shipping if shipping in BANK_TRANSFER_COUNTRIES
                   else deps.settings.bank_transfer_country)
    return NewPayment(
        order_id=order.id, payment_id=order.payment.id, amount=order.total,
        currency=order.currency.lower(), method=order.payment_method,  # type: ignore[arg-type]
        payment_method_token=order.payment.payment_method_token, capture=capture,
        return_url=order.payment.return_url, customer_ref=customer_ref, bank_country=country)


def _customer_ref(buyer_id: str, deps: Collaborators) -> str:
    """The buyer's provider customer (made once: key `customer-{account id}`), kept."""
    with deps.uow() as tx:
        known = tx.orders.customer_ref(buyer_id)
    if known:
        return str(known)
    ref = deps.payments.ensure_customer(buyer_id, idempotency_key=f"customer-{buyer_id}")
    with deps.uow() as tx:
        tx.orders.keep_customer_ref(buyer_id, ref)
        tx.commit()
    return ref


def start_saga(order: Order, deps: Collaborators, *, replacing: str | None = None) -> bool:
    """Start a purchase saga execution and record it (conditional: one per order); an
    execution that lost the race is cancelled. Workflows down: the reconciler starts it.
    The dead execution it replaces is forgotten first: recorded until the new one is, it
    would make the new one's first attach answer `superseded`."""
    argument = {"order_id": order.id, "payment_id": order.payment.id,
                "timeout_s": deps.settings.purchase_callback_timeout_s[order.payment_method]}
    if replacing is not None and not _forget_execution(order.id, replacing, deps):
        return False  # another reconciler replaced it first
    try:
        name = deps.executions.start(PURCHASE_WORKFLOW, argument)
    except ServiceUnavailable:
        log(logger, logging.WARNING, "purchase saga not started", order_id=order.id)
        return False
    faults.reached("order_after_saga_start")
    with deps.uow() as tx:
        kept = tx.orders.set_execution(order.id, name)
        if kept:
            tx.orders.add_step(order.id, "saga_started")
        tx.commit()
    if not kept:
        _cancel_quietly(deps.executions, name)
    return kept


def _forget_execution(order_id: str, dead: str, deps: Collaborators) -> bool:
    with deps.uow() as tx:
        forgotten = tx.orders.replace_execution(order_id, dead, None)
        tx.commit()
    return bool(forgotten)


def _cancel_quietly(executions: WorkflowExecutions, name: str) -> None:
    try:
        executions.cancel(name)
    except Exception as error:  # noqa: BLE001 - it ends on its own: attach says superseded
        log(logger, logging.WARNING, "extra saga not cancelled", error=type(error).__name__)
