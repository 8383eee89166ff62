"""The fraud check of a new order, before anything is reserved: the plan priced with no lock,
the worker asked with no transaction open, and the case a held or refused order opens
(docs/decisions/0026-orders-held-for-fraud-review.md). Ending a held order (declined card,
rejected or expired review) is here too: placement and the review both need it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, NoReturn

from common import clock
from common.domain.errors import FraudRejected
from common.domain.events import OrderCancelled, OrderPaymentFailed, OrderPlaced
from common.domain.fraud import (
    CaseAction,
    CaseDraft,
    FraudDecision,
    OrderScreening,
    fallback_decision,
)
from common.domain.order_records import Order
from common.domain.orders import OrderItem, OrderStatus, plan_order
from common.logs import log
from common.ports.fraud import FraudScreening
from common.services import fraud_cases
from common.settings import Settings

logger = logging.getLogger("bazaar.orders")
# A buyer's key names one order id, so a retried refusal asks the worker about the same
# subject (it answers its stored decision) and opens no second case.
ORDER_IDS = uuid.UUID("6f1d2c1e-6a43-4d0b-9b0e-0a5c3f4f12a7")


def order_id_for(buyer_id: str, idempotency_key: str) -> str:
    """The id of the order a buyer's Idempotency-Key places (the fraud check's subject)."""
    return str(uuid.uuid5(ORDER_IDS, f"{buyer_id}:{idempotency_key}"))


def screening_of(order_id: str, buyer_id: str, basket: tuple[OrderItem, ...], request: Any,
                 tx: Any, settings: Settings) -> OrderScreening:
    """What the worker is asked: the order priced now (no lock; bad items raise here first)."""
    offers = tx.orders.read_offers([item.product_id for item in basket])
    plan = plan_order(basket, offers, request.method, rates_bp=settings.commission_rates_bp,
                      default_bp=settings.commission_default_bp)
    return OrderScreening(
        subject=order_id, account_id=buyer_id, device_id=request.device_id, ip=request.ip,
        client_country=request.client_country,
        shipping_country=str(request.shipping_address.get("country", "")),
        amount=plan.total, currency="EUR", method=request.method,
        card=request.payment_method_token if request.method == "card" else None)


def screen(screening: OrderScreening, screener: FraudScreening | None) -> FraudDecision:
    """The worker's decision; with no screener the order goes on, screened afterwards."""
    if screener is None:  # not configured: as if the worker had not answered
        return fallback_decision("allow")
    decision = screener.screen(screening)
    log(logger, logging.INFO, "order screened", order_id=screening.subject,
        action=decision.action, screened=decision.screened, model_version=decision.model_version)
    return decision


def case_for(screening: OrderScreening, decision: FraudDecision) -> CaseDraft | None:
    """The case a held or refused order opens; None for an allowed one."""
    actions: dict[str, CaseAction] = {"review": "order_held", "block": (
        "account_blocked" if decision.block_account else "order_rejected")}
    if decision.action not in actions:
        return None
    evidence = {"amount": screening.amount, "currency": screening.currency,
                "method": screening.method, "shipping_country": screening.shipping_country,
                "client_country": screening.client_country, "device_id": screening.device_id,
                "ip": screening.ip, "screened": decision.screened}
    return CaseDraft(kind="order", subject_id=screening.subject,
                     account_id=screening.account_id, score=decision.score,
                     reasons=decision.reasons, model_version=decision.model_version,
                     action=actions[decision.action], evidence=evidence)


def open_case(tx: Any, draft: CaseDraft) -> str | None:
    """Open the case and record `fraud.case_opened` in the orders transaction `tx` (the one
    way cases open: common/services/fraud_cases.open_case); None if it exists."""
    return fraud_cases.open_case(tx.fraud_cases, tx.record, draft, clock.now())


def refuse(draft: CaseDraft, uow: Callable[[], Any]) -> NoReturn:
    """Open the refused order's case, then FraudRejected: nothing reserved, nothing charged."""
    with uow() as tx:
        open_case(tx, draft)
        tx.commit()
    log(logger, logging.INFO, "order refused", order_id=draft.subject_id, action=draft.action)
    raise FraudRejected()


def end_held_order(order: Order, final_status: OrderStatus, reason: str,
                   uow: Callable[[], Any]) -> bool:
    """pending_review → payment_failed or cancelled, the stock back exactly once, and
    `order.payment_failed` or `order.cancelled`; False if the review already ended."""
    with uow() as tx:
        won = tx.decisions.mark_failed(order.id, final_status.value, reason,
                                       waiting=OrderStatus.PENDING_REVIEW.value)
        if won:
            tx.orders.add_step(order.id, final_status.value, {"reason": reason})
            tx.orders.add_step(order.id, "stock_released", {"reason": reason})
            tx.record(OrderCancelled(order_id=order.id, buyer_id=order.buyer_id,
                                     refunded_amount=0, parts=())
                      if final_status is OrderStatus.CANCELLED else
                      OrderPaymentFailed(order_id=order.id, buyer_id=order.buyer_id,
                                         reason=reason))
        tx.commit()
    if won:
        log(logger, logging.INFO, "held order ended", order_id=order.id, reason=reason)
    return won


def placed_event(order_id: str, buyer_id: str, total: int, asked: OrderScreening,
                 decision: FraudDecision) -> OrderPlaced:
    """order.placed; when the fraud check fell back, with what the worker needs to screen
    the order afterwards (the device, the client's country, the card token; not the IP)."""
    if decision.screened:
        return OrderPlaced(order_id=order_id, buyer_id=buyer_id, total=total)
    return OrderPlaced(order_id=order_id, buyer_id=buyer_id, total=total, screening="deferred",
                       device_id=asked.device_id, client_country=asked.client_country,
                       card=asked.card)
