"""An order's facts come from the worker's history, in the windows the model learned."""

from __future__ import annotations

from datetime import timedelta

from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.order_screening import order_facts
from tests.unit.fraud.worker_given import NOW, screening, signal

H, D = timedelta(hours=1), timedelta(days=1)


def test_a_fresh_account_with_no_history_has_zero_counts_and_no_flags():
    # Given an account created two days ago and nothing in the history
    order = screening()
    history = MemoryHistory({order.account_id: NOW - 2 * D})

    # When its facts are read
    facts = order_facts(order, history, NOW)

    # Then they are its age, its amount and zeros
    assert (facts.account_age_days, facts.amount, facts.prior_orders) == (2.0, 4000, 0)
    assert (facts.orders_account_1h, facts.orders_device_1h, facts.orders_ip_1h) == (0, 0, 0)
    assert (facts.declines_device_24h, facts.cards_device_24h) == (0, 0)
    assert (facts.new_device, facts.password_reset_24h, facts.country_mismatch) == (
        False, False, False)
    assert facts.method == "card"


def test_velocity_counts_only_the_last_hour_by_account_device_and_ip():
    # Given orders 10 and 50 minutes ago (counted) and 2 hours ago (not) on the same keys
    order = screening()
    history = MemoryHistory()
    for ago in (timedelta(minutes=10), timedelta(minutes=50), 2 * H):
        history.record(signal("order", ago, account_id=order.account_id,
                              device_id=order.device_id, ip=order.ip, amount=1000))

    # When the facts are read
    facts = order_facts(order, history, NOW)

    # Then each hour window holds two; the account's prior orders are all three
    assert (facts.orders_account_1h, facts.orders_device_1h, facts.orders_ip_1h) == (2, 2, 2)
    assert (facts.prior_orders, facts.prior_amount_mean) == (3, 1000.0)


def test_declines_and_distinct_cards_on_a_device_count_over_24_hours():
    # Given 5 declines and 3 distinct cards (one twice) on the device in 24 h, one older
    order = screening()
    history = MemoryHistory()
    for n, card in enumerate(["c1", "c2", "c3", "c1", "c4"]):
        ago = 30 * H if card == "c4" else (n + 1) * H
        history.record(signal("order", ago, account_id=f"other-{n}",
                              device_id=order.device_id, card=card))
    for n in range(5):
        history.record(signal("decline", (n + 1) * H, device_id=order.device_id))
    history.record(signal("decline", 25 * H, device_id=order.device_id))

    # When the facts are read
    facts = order_facts(order, history, NOW)

    # Then the 24 h windows hold 5 declines and 3 cards; the device saw 5 accounts in 30 days
    assert (facts.declines_device_24h, facts.cards_device_24h) == (5, 3)
    assert facts.accounts_on_device_30d == 5
    assert (facts.declines_account_24h, facts.cards_account_24h) == (0, 0)


def test_a_device_never_seen_with_an_account_that_ordered_before_is_new():
    # Given an account that ordered from another device last week, and a reset an hour ago
    order = screening()
    history = MemoryHistory()
    history.record(signal("order", 7 * D, account_id=order.account_id, device_id="old-device",
                          amount=2000))
    history.record(signal("password_reset", H, account_id=order.account_id))

    # When it orders from this device
    facts = order_facts(order, history, NOW)

    # Then the device is new and the reset is within 24 h
    assert (facts.new_device, facts.password_reset_24h) == (True, True)


def test_the_known_device_of_an_account_is_not_new():
    order = screening()
    history = MemoryHistory()
    history.record(signal("order", D, account_id=order.account_id, device_id=order.device_id))

    assert order_facts(order, history, NOW).new_device is False


def test_country_mismatch_needs_a_client_region_that_differs_from_the_shipping_country():
    history = MemoryHistory()

    assert order_facts(screening(client_country="US"), history, NOW).country_mismatch is True
    assert order_facts(screening(client_country="DE"), history, NOW).country_mismatch is False
    assert order_facts(screening(client_country=None), history, NOW).country_mismatch is False


def test_an_order_without_device_or_ip_counts_nothing_by_them():
    # Given orders with no device and no IP in the history
    order = screening(device_id=None, ip=None)
    history = MemoryHistory()
    history.record(signal("order", timedelta(minutes=5), account_id="someone"))

    # When the facts are read, Then nothing is counted by a missing key
    facts = order_facts(order, history, NOW)
    assert (facts.orders_device_1h, facts.orders_ip_1h, facts.accounts_on_device_30d) == (
        0, 0, 0)
