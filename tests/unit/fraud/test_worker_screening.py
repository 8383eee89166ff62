"""A screened order is decided once: its decision stored by subject with one `order` signal,
and the canonical cases of the design come out of the worker's own facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.order_screening import order_event_id, screen_order
from tests.unit.fraud.worker_given import NOW, committed_scorer, screening, signal


def test_a_decision_is_stored_with_one_order_signal():
    # Given an ordinary order
    order = screening()
    history = MemoryHistory({order.account_id: NOW - timedelta(days=30)})

    # When it is screened
    decision, facts = screen_order(order, history, committed_scorer(), NOW)

    # Then the decision is stored under its subject and one order signal is recorded
    assert history.decisions == {order.subject: decision}
    assert [(s.event_id, s.kind, s.amount, s.device_id, s.card) for s in history.recorded] == [
        (order_event_id(order.subject), "order", 4000, order.device_id, "pm_card_visa")]
    assert history.recorded[0].detail == {"action": decision.action, "method": "card",
                                          "shipping_country": "DE"}
    assert facts is not None and facts.amount == 4000


def test_the_same_subject_again_returns_the_stored_decision_and_records_nothing():
    # Given an order screened once
    order = screening()
    history = MemoryHistory()
    first, _ = screen_order(order, history, committed_scorer(), NOW)

    # When the same subject comes again an hour later, with another amount
    again, facts = screen_order(replace(order, amount=90_000),
                                history, committed_scorer(), NOW + timedelta(hours=1))

    # Then it gets the first decision, and the history still holds one signal
    assert (again, facts) == (first, None)
    assert len(history.recorded) == 1


def test_card_testing_on_a_device_blocks_the_order_and_the_account():
    # Given five declined payments on the device within 24 h
    order = screening()
    history = MemoryHistory({order.account_id: NOW - timedelta(days=1)})
    for n in range(5):
        history.record(signal("decline", timedelta(hours=n + 1), device_id=order.device_id))

    # When the next order from that device is screened
    decision, _ = screen_order(order, history, committed_scorer(), NOW)

    # Then it is blocked, the account with it, and the reason says why
    assert (decision.action, decision.block_account) == ("block", True)
    assert "5 declined payments on this device in 24 h" in decision.reasons
    assert decision.model_version == committed_scorer().version


def test_a_first_order_of_500_euros_shipped_abroad_waits_for_review():
    # Given a fresh account ordering EUR 500 to DE from a client in the US
    order = screening(amount=50_000, client_country="US")
    history = MemoryHistory({order.account_id: NOW - timedelta(hours=1)})

    # When it is screened
    decision, _ = screen_order(order, history, committed_scorer(), NOW)

    # Then it is held for review, without blocking the account
    assert (decision.action, decision.block_account) == ("review", False)
    assert decision.reasons[0] == "first order of EUR 500 shipped outside the client's country"


def test_a_regular_customers_ordinary_order_is_allowed():
    # Given a 30-day-old account with five earlier orders of EUR 50 from this device
    order = screening()
    history = MemoryHistory({order.account_id: NOW - timedelta(days=30)})
    for n in range(5):
        history.record(signal("order", timedelta(days=n + 2), account_id=order.account_id,
                              device_id=order.device_id, amount=5000, card="pm_card_visa"))

    # When it orders EUR 40
    decision, facts = screen_order(order, history, committed_scorer(), NOW)

    # Then the order is allowed with no reasons
    assert facts is not None and (facts.prior_orders, facts.prior_amount_mean) == (5, 5000.0)
    assert (decision.action, decision.block_account, decision.reasons) == ("allow", False, ())
    assert 0.0 <= decision.score < committed_scorer().thresholds["review"]
