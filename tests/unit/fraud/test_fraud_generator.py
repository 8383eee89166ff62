"""The synthetic orders: seeded, time-ordered, every pattern present, facts from the past."""

from collections import Counter

from edge_workers.fraud.generator import PATTERNS, generate
from edge_workers.fraud.history_windows import Windows
from edge_workers.fraud.populations import Event

SMALL = {"seed": 11, "days": 30, "accounts": 3_000}


def test_the_same_seed_gives_the_same_orders():
    # Given two runs with one seed
    # When both generate
    first, second = generate(**SMALL), generate(**SMALL)

    # Then the rows are equal, one by one
    assert first == second


def test_another_seed_gives_other_orders():
    # Given two seeds
    # When each generates
    # Then the rows differ
    assert generate(**SMALL) != generate(**{**SMALL, "seed": 12})


def test_rows_are_in_time_order_within_the_period_with_every_pattern_labelled():
    # Given a small generated period
    rows = generate(**SMALL)

    # Then days ascend within 0..29, each fraud pattern is there labelled 1, look-alikes 0
    assert [row.day for row in rows] == sorted(row.day for row in rows)
    assert (rows[0].day, rows[-1].day) == (0, 29)
    labels = {(row.pattern, row.label) for row in rows}
    assert {(pattern, 1) for pattern in PATTERNS} <= labels
    assert {("traveller", 0), ("shared_device", 0), ("frequent_buyer", 0),
            ("large_first_purchase", 0), ("new_phone", 0)} <= labels
    assert {label for pattern, label in labels if pattern not in PATTERNS} == {0}


def test_fraud_is_a_few_percent_of_orders():
    # Given the small period
    counts = Counter(row.label for row in generate(**SMALL))

    # Then fraud is between 1 % and 8 % of the orders
    assert 0.01 < counts[1] / (counts[0] + counts[1]) < 0.08


def _order(at: float, **fields: object) -> Event:
    values = {"kind": "order", "account": "a1", "device": "d1", "ip": "ip1", "card": "c1",
              "amount": 1_000, **fields}
    return Event(at=at, **values)  # type: ignore[arg-type]


def test_windows_count_only_the_last_hour_and_day_and_distinct_cards():
    # Given orders 2 h ago and 30 min ago on one device, with two cards, the later declined
    windows, now = Windows(), 100_000.0
    windows.record_registration("a1", now - 2 * 86_400)
    windows.record_order(_order(now - 7_200, card="c1"))
    windows.record_order(_order(now - 1_800, card="c2", declined=True))

    # When the windows are read now
    # Then the hour holds one order, the day one decline and two cards, the age is 2 days
    assert windows.count("order", "device", "d1", now - 3_600) == 1
    assert windows.count("decline", "account", "a1", now - 86_400) == 1
    assert windows.distinct("card", "device", "d1", now - 86_400) == 2
    assert windows.age_days("a1", now) == 2.0
    assert windows.prior("a1") == (2, 1_000.0)


def test_a_device_is_new_only_for_an_account_that_ordered_elsewhere_lately():
    # Given an account that ordered from d1 and nothing from d2, and one that never ordered
    windows = Windows()
    windows.record_order(_order(10.0))

    # When its devices are checked
    # Then d2 is new, d1 is not, and a first order's device is not "new"
    assert windows.new_device("a1", "d2", 0.0) is True
    assert windows.new_device("a1", "d1", 0.0) is False
    assert windows.new_device("a2", "d9", 0.0) is False


def test_an_unknown_device_or_ip_counts_nothing():
    # Given an order without a device id or IP
    windows = Windows()
    windows.record_order(_order(10.0, device=None, ip=None))

    # When windows by device or IP are read
    # Then they are 0
    assert windows.count("order", "device", None, 0.0) == 0
    assert windows.distinct("card", "ip", None, 0.0) == 0
    assert windows.count("order", "account", "a1", 0.0) == 1
