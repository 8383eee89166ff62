"""PostgresHistory keeps MemoryHistory's contract, and its one-statement facts equal the
generic windows, on the stack's PostgreSQL (each test rolls back what it wrote)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from common.domain.fraud import FraudDecision, OrderScreening
from edge_workers.fraud.history import MemoryHistory, PostgresHistory
from edge_workers.fraud.order_screening import order_facts
from edge_workers.fraud.signals import Signal
from tests.integration.fraud.worker_calls import owner_engine

NOW = datetime.now(timezone.utc).replace(microsecond=0)
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def connection(stack):
    engine = owner_engine(stack)
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()
    engine.dispose()


def history_of(account: str, device: str, ip: str) -> list[Signal]:
    """A mixed history: orders in and out of each window, declines, a reset, other devices."""
    def at(kind: str, ago: timedelta, **fields: object) -> Signal:
        return Signal(event_id=str(uuid.uuid4()), kind=kind, at=NOW - ago, **fields)  # type: ignore[arg-type]

    return [
        at("order", 20 * timedelta(minutes=1), account_id=account, device_id=device, ip=ip,
           card="c1", amount=3000),
        at("order", 3 * H, account_id=account, device_id="other-device", card="c2",
           amount=9000),
        at("order", 40 * D, account_id=account, device_id="old-device", amount=1500),
        at("order", 2 * H, account_id="someone-else", device_id=device, card="c3", amount=100),
        at("order", 30 * timedelta(minutes=1), account_id="third", ip=ip, amount=100),
        at("decline", 5 * H, account_id=account, device_id=device, card="c1"),
        at("decline", 26 * H, device_id=device),
        at("password_reset", 10 * H, account_id=account),
        at("login", 1 * H, account_id=account, device_id="login-device"),
    ]


@pytest.mark.parametrize("device_of", ["known", "new", "none"])
def test_the_one_statement_facts_equal_the_generic_windows(connection, device_of):
    # Given a history in PostgreSQL and the same one in memory
    account, device, ip = str(uuid.uuid4()), "dev-" + uuid.uuid4().hex[:8], "192.0.2.44"
    postgres, memory = PostgresHistory(connection), MemoryHistory()
    for signal in history_of(account, device, ip):
        assert postgres.record(signal) and memory.record(signal)
    asked = {"known": device, "new": "brand-new-device", "none": None}[device_of]
    screening = OrderScreening(str(uuid.uuid4()), account, asked, ip, "FR", "DE", 7000, "EUR",
                               "card", "c9")

    # When the facts are read both ways
    fast = postgres.order_facts(screening, NOW)

    # Then they are the same facts
    assert fast == order_facts(screening, postgres, NOW) == order_facts(screening, memory, NOW)
    assert (fast.prior_orders, fast.prior_amount_mean) == (3, 4500.0)
    assert fast.country_mismatch is True


def test_an_event_id_is_recorded_once_and_windows_count_by_kind(connection):
    history = PostgresHistory(connection)
    signal = Signal(event_id=str(uuid.uuid4()), kind="decline", at=NOW, device_id="d-1x")

    assert (history.record(signal), history.record(signal)) == (True, False)
    assert history.count("decline", "device_id", "d-1x", NOW - H) == 1
    assert history.count("*", "device_id", "d-1x", NOW - H) == 1
    assert history.count("order", "device_id", "d-1x", NOW - H) == 0
    assert [s.event_id for s in history.signals("decline", NOW - H, by="device_id",
                                                value="d-1x")] == [signal.event_id]


def test_a_decision_is_stored_once_per_subject(connection):
    history = PostgresHistory(connection)
    subject = str(uuid.uuid4())
    first = FraudDecision("review", 0.6, ("a reason",), "m-1", False)
    second = FraudDecision("allow", 0.1, (), "m-1", False)

    assert history.store_decision(subject, first, NOW) == first
    assert history.store_decision(subject, second, NOW) == first
    assert history.stored_decision(subject) == first
    assert history.account_created_at("not-a-uuid") is None
