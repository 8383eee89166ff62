"""The worker's order events: a deferred order is screened afterwards (a case unless it is
allowed), a failed payment becomes a `decline` on the order's device and card."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from edge_workers.fraud.event_door import MalformedPush, parse_push
from edge_workers.fraud.history import MemoryHistory, PlacedOrder
from edge_workers.fraud.order_handlers import order_handlers
from edge_workers.fraud.order_screening import screen_order
from tests.unit.fraud.worker_given import NOW, committed_scorer, screening, signal

HANDLERS = order_handlers(committed_scorer())


def placed(history: MemoryHistory, amount: int = 4000, country: str = "DE") -> PlacedOrder:
    order = PlacedOrder(order_id="6f1c3f0e-0000-4000-8000-000000000001",
                        buyer_id="6f1c3f0e-0000-4000-8000-0000000000b1", amount=amount,
                        currency="EUR", method="card", shipping_country=country)
    history.orders[order.order_id] = order
    return order


def test_a_deferred_order_that_looks_like_card_testing_opens_an_account_blocking_case():
    # Given an order that went on unscreened, from a device with five declines today
    history = MemoryHistory()
    order = placed(history)
    for n in range(5):
        history.record(signal("decline", timedelta(hours=n + 1), device_id="device-ct-1"))

    # When its order.placed (screening deferred) arrives
    drafts = HANDLERS["order.placed"]("event-1", {
        "order_id": order.order_id, "buyer_id": order.buyer_id, "total": 4000,
        "screening": "deferred", "device_id": "device-ct-1"}, history, NOW)

    # Then one case blocks the account, with the decision's reasons and the facts as evidence
    [draft] = drafts
    assert (draft.kind, draft.subject_id, draft.account_id, draft.action) == (
        "order", order.order_id, order.buyer_id, "account_blocked")
    assert "5 declined payments on this device in 24 h" in draft.reasons
    assert draft.evidence["screening"] == "deferred"
    assert draft.evidence["declines_device_24h"] == 5
    assert history.decisions[order.order_id].action == "block"


def test_a_deferred_order_held_for_review_opens_a_case_that_acts_on_nothing():
    history = MemoryHistory()
    order = placed(history, amount=60_000)

    [draft] = HANDLERS["order.placed"]("event-2", {
        "order_id": order.order_id, "buyer_id": order.buyer_id, "total": 60_000,
        "screening": "deferred", "client_country": "US"}, history, NOW)

    assert (draft.action, history.decisions[order.order_id].action) == ("none", "review")


@pytest.mark.parametrize("screening_field", ["done", None], ids=["screened", "absent"])
def test_an_order_screened_in_the_order_path_is_not_screened_again(screening_field):
    history = MemoryHistory()
    order = placed(history)
    payload = {"order_id": order.order_id, "buyer_id": order.buyer_id, "total": 4000}
    if screening_field:
        payload["screening"] = screening_field

    assert HANDLERS["order.placed"]("event-3", payload, history, NOW) == []
    assert history.recorded == [] and history.decisions == {}


def test_an_allowed_deferred_order_opens_no_case_but_is_remembered():
    history = MemoryHistory()
    order = placed(history)

    drafts = HANDLERS["order.placed"]("event-4", {
        "order_id": order.order_id, "buyer_id": order.buyer_id, "total": 4000,
        "screening": "deferred"}, history, NOW)

    assert drafts == []
    assert [(s.kind, s.subject) for s in history.recorded] == [("order", order.order_id)]


def test_a_failed_payment_is_a_decline_on_the_device_and_card_of_the_orders_screening():
    # Given an order screened in the order path from a device with a card
    history = MemoryHistory()
    order = screening(card="pm_card_chargeDeclined")
    screen_order(order, history, committed_scorer(), NOW)

    # When its payment fails
    drafts = HANDLERS["order.payment_failed"]("event-5", {
        "order_id": order.subject, "buyer_id": order.account_id, "reason": "card_declined"},
        history, NOW + timedelta(minutes=1))

    # Then a decline is recorded on that device and card, and no case is opened
    assert drafts == []
    decline = history.recorded[-1]
    assert (decline.event_id, decline.kind, decline.account_id, decline.device_id,
            decline.card, decline.subject, decline.detail) == (
        "event-5", "decline", order.account_id, order.device_id, "pm_card_chargeDeclined",
        order.subject, {"reason": "card_declined"})


def test_a_failed_payment_of_an_order_never_screened_is_a_decline_of_the_account_only():
    history = MemoryHistory()

    HANDLERS["order.payment_failed"]("event-6", {"order_id": "o-1", "buyer_id": "b-1",
                                                 "reason": "card_declined"}, history, NOW)

    [decline] = history.recorded
    assert (decline.account_id, decline.device_id, decline.card) == ("b-1", None, None)


def push(body: object, attributes: dict | None = None) -> dict:
    data = base64.b64encode(json.dumps(body).encode()).decode()
    return {"message": {"data": data, "attributes": attributes or {}, "messageId": "m-1"},
            "subscription": "projects/p/subscriptions/fraud-orders"}


def test_a_push_envelope_gives_the_outbox_id_type_and_payload():
    event = parse_push(push({"id": "e-1", "type": "order.placed", "occurred_at": "x",
                             "payload": {"order_id": "o"}}, {"type": "order.placed"}))

    assert (event.id, event.type, event.payload) == ("e-1", "order.placed", {"order_id": "o"})


@pytest.mark.parametrize("envelope", [
    push({"id": "e-1", "type": "order.placed", "payload": "not an object"}),
    push({"id": 7, "type": "order.placed", "payload": {}}),
    push(["a", "list"]),
    {"message": {"data": base64.b64encode(b"not json").decode()}},
    {"message": "not an object"},
    "not an envelope",
], ids=["payload-string", "id-number", "body-list", "data-not-json", "message-string",
        "envelope-string"])
def test_what_is_not_a_push_of_an_event_is_malformed(envelope):
    with pytest.raises(MalformedPush):
        parse_push(envelope)
