"""The worker's handlers of order events: screen a deferred order afterwards, and record a
declined payment as a `decline` signal (with the device and card of the order's screening).

Each handler is an event_handlers.Handler: (event_id, payload, history, now) →
the case drafts to open; `order_handlers(scorer)` binds the model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from common.domain.fraud import CaseAction, CaseDraft, FraudDecision, OrderScreening
from edge_workers.fraud.card_testing import card_testing_cases
from edge_workers.fraud.decision import Scorer
from edge_workers.fraud.event_handlers import Handler
from edge_workers.fraud.order_screening import EVER, evidence_of, screen_order
from edge_workers.fraud.signals import Signal

DEFERRED = "deferred"


def _case_action(decision: FraudDecision) -> CaseAction:
    """A deferred order has gone on already: a block blocks the account, a review is a case."""
    return "account_blocked" if decision.action == "block" else "none"


def screen_deferred_order(event_id: str, payload: dict, history: Any, now: datetime,
                          scorer: Scorer) -> list[CaseDraft]:
    """order.placed with screening "deferred": decide now, and open a case unless allowed."""
    if payload.get("screening") != DEFERRED:
        return []
    order = history.placed_order(str(payload["order_id"]))
    if order is None:
        return []
    screening = OrderScreening(
        subject=order.order_id, account_id=order.buyer_id,
        device_id=payload.get("device_id"), ip=None,  # order.placed never carries the IP
        client_country=payload.get("client_country"), shipping_country=order.shipping_country,
        amount=order.amount, currency=order.currency, method=order.method,
        card=payload.get("card"))
    decision, facts = screen_order(screening, history, scorer, now)
    if decision.action == "allow":
        return []
    return [CaseDraft(kind="order", subject_id=order.order_id, account_id=order.buyer_id,
                      score=decision.score, reasons=decision.reasons,
                      model_version=decision.model_version, action=_case_action(decision),
                      evidence={"screening": DEFERRED, **evidence_of(facts)})]


def record_decline(event_id: str, payload: dict, history: Any, now: datetime
                   ) -> list[CaseDraft]:
    """order.payment_failed: a `decline` signal, on the device and card the order came with."""
    order_id = str(payload["order_id"])
    screened = history.signals("order", EVER, by="subject", value=order_id, limit=1)
    order = screened[0] if screened else None
    history.record(Signal(
        event_id=event_id, kind="decline", at=now, account_id=str(payload["buyer_id"]),
        device_id=order.device_id if order else None, ip=order.ip if order else None,
        card=order.card if order else None, amount=order.amount if order else None,
        subject=order_id, detail={"reason": str(payload.get("reason", ""))[:100]}))
    # Card testing (many declines on one device or account) blocks the account even when
    # no further order comes to be screened.
    return card_testing_cases(history, order_id, str(payload["buyer_id"]),
                              order.device_id if order else None, now)


def order_handlers(scorer: Scorer) -> dict[str, Handler]:
    """The order event handlers, with the model bound for deferred screening."""
    return {
        "order.placed": lambda event_id, payload, history, now: screen_deferred_order(
            event_id, payload, history, now, scorer),
        "order.payment_failed": record_decline,
    }
