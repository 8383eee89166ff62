"""What a provider event about one of our payments does: it joins the payment's ledger
(payment_events, once per provider event id), moves the payment forward (never back), and
wakes the purchase saga waiting on its callback. The saga reads the payment's state from
the database itself, so the callback's body only says which event woke it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from common import faults
from common.domain.order_records import CALLBACK_EVENTS, EVENT_STATUS, moves_forward
from common.domain.payments import ProviderEvent, ProviderEventType
from common.logs import log

logger = logging.getLogger("bazaar.orders")


class Callbacks(Protocol):
    def send(self, url: str, body: dict[str, Any]) -> bool: ...


@dataclass(frozen=True)
class Wake:
    url: str
    body: dict[str, Any]


def hand_off(event: ProviderEvent, *, uow: Callable[[], Any], callbacks: Callbacks,
             mark_processed: Callable[[ProviderEvent], None]) -> bool:
    """Apply a payment event to its payment and wake the saga (after commit); True if it
    was about one of our payments. An undeliverable callback is left to the reconciler."""
    if event.type not in EVENT_STATUS:
        return False
    ours, wake = _apply(event, uow)
    faults.reached("webhook_after_handoff")
    if wake is not None and not callbacks.send(wake.url, wake.body):
        log(logger, logging.WARNING, "saga not woken", event_id=event.event_id)
    if ours:
        mark_processed(event)
    return ours


def _apply(event: ProviderEvent, uow: Callable[[], Any]) -> tuple[bool, Wake | None]:
    """(whether the payment is ours, whom to wake)."""
    with uow() as tx:
        payment_id = tx.orders.payment_id_for(payment_id=event.refs.get("payment_id"),
                                              provider_ref=event.payment_ref,
                                              order_id=event.order_id)
        if payment_id is None:
            return False, None
        payment = tx.orders.lock_payment(payment_id)
        fresh = tx.orders.add_payment_event(
            payment.id, event.type.value, event.amount_received,
            provider_event_id=f"{event.provider}:{event.event_id}",
            detail={"provider_type": event.provider_type,
                    "amount_remaining": event.amount_remaining})
        status, received = EVENT_STATUS[event.type], _received(event, payment.amount)
        # A duplicate changes nothing but wakes the saga again: the delivery it repeats may
        # have died between its commit and the wake (the saga reads the database anyway).
        if fresh and moves_forward(payment.status, status, payment.amount_received, received):
            tx.orders.update_payment(payment, status, received,
                                     provider_ref=event.payment_ref,
                                     next_action=_next_action(payment.next_action, event),
                                     decline_code=_decline(event))
        waiting = tx.orders.order_status(payment.order_id) == "pending_payment"
        tx.commit()
    if waiting and payment.callback_url and event.type in CALLBACK_EVENTS:
        return True, Wake(payment.callback_url, {"event": event.type.value,
                                                 "event_id": event.event_id})
    return True, None


def _received(event: ProviderEvent, amount: int) -> int:
    if event.type is ProviderEventType.PAYMENT_PARTIALLY_FUNDED and (
            event.amount_remaining is not None):
        return max(0, amount - event.amount_remaining)
    return event.amount_received or 0


def _next_action(current: dict[str, Any] | None, event: ProviderEvent) -> dict[str, Any] | None:
    """Bank transfer instructions keep their IBAN; only what remains to pay changes."""
    if event.type in (ProviderEventType.PAYMENT_SUCCEEDED, ProviderEventType.PAYMENT_FAILED,
                      ProviderEventType.PAYMENT_CANCELED, ProviderEventType.PAYMENT_AUTHORIZED):
        return None
    if current and event.amount_remaining is not None and "amount_remaining" in current:
        return {**current, "amount_remaining": event.amount_remaining}
    return current


def _decline(event: ProviderEvent) -> str | None:
    if event.type is not ProviderEventType.PAYMENT_FAILED:
        return None
    error = ((event.payload.get("data") or {}).get("object") or {}).get("last_payment_error")
    return (error.get("decline_code") or error.get("code")) if isinstance(error, dict) else None
