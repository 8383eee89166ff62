"""The release use case over fakes: what is released and what waits, the object's content,
a failed write finished by the next run, rows past the wait window, and the audit's refusal."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from common import clock
from common.domain.k_anonymity import ReleaseBreaksAnonymity, order_candidate
from common.domain.pseudonyms import pseudonym
from common.ports.analytics_export import InteractionFact, OrderFact
from common.services import analytics_export
from tests.unit.fakes.analytics_export import FakeExportObjects, FakeExportStore
from tests.unit.given import SETTINGS

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
KEY = SETTINGS.pseudonym_hmac_key()


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def order(buyer: str, *, category: str = "home", country: str = "DE", amount: int = 3_000,
          age: timedelta = timedelta(days=1)) -> OrderFact:
    return OrderFact(str(uuid.uuid4()), buyer, country, amount, NOW - age, category)


def buyers(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines()]


def run(store, objects, **settings):
    return analytics_export.release_dataset(
        "orders", uow=store, objects=objects,
        settings=dataclasses.replace(SETTINGS, **settings))


def test_a_class_of_five_buyers_is_released_and_a_smaller_one_waits():
    # Given five buyers of one class (two categories) and two buyers of another
    store, objects = FakeExportStore(), FakeExportObjects()
    five = buyers(5)
    store.state.orders = [order(b, category=("home", "books")[i % 2]) for i, b in enumerate(five)]
    store.state.orders += [order(b, country="FR", category=c)
                           for b, c in zip(buyers(2), ("home", "toys"), strict=True)]

    # When the export runs
    outcome = run(store, objects)

    # Then the five rows are in one object of generalised values only, the two wait
    assert (outcome.rows, outcome.waiting, outcome.k, outcome.l) == (5, 2, 5, 2)
    (path, data), = objects.objects.items()
    assert path == f"exports/orders/{outcome.release_id}.jsonl"
    assert sorted(r["category"] for r in lines(data)) == ["books", "books", "home", "home",
                                                          "home"]
    assert {(r["country"], r["month"], r["total_band"]) for r in lines(data)} == {
        ("DE", "2026-11", "20-50")}
    assert all(set(r) == {"country", "month", "total_band", "category"} for r in lines(data))
    assert not any(b in data.decode() for b in five)
    assert store.state.written == {outcome.release_id: NOW}


def test_persons_are_counted_by_pseudonym_never_by_raw_id():
    # Given five buyers released
    store, objects = FakeExportStore(), FakeExportObjects()
    five = buyers(5)
    store.state.orders = [order(b, category=("home", "books")[i % 2]) for i, b in enumerate(five)]

    # When the export runs
    run(store, objects)

    # Then the accumulated release holds their pseudonyms under the key, not their ids
    held = {row.person for _, row in store.state.rows.values()}
    assert held == {pseudonym("account", b, KEY) for b in five}


def test_waiting_rows_are_released_once_their_class_reaches_five_persons():
    # Given three buyers of a class that waited in an earlier run
    store, objects = FakeExportStore(), FakeExportObjects()
    store.state.orders = [order(b, category=("home", "books")[i % 2])
                          for i, b in enumerate(buyers(3))]
    assert run(store, objects).release_id is None

    # When two more buyers of that class arrive and it runs again
    store.state.orders += [order(b) for b in buyers(2)]
    outcome = run(store, objects)

    # Then all five go out together, and a third run has nothing left to release
    assert (outcome.rows, outcome.waiting) == (5, 0)
    assert run(store, objects).release_id is None
    assert len(objects.objects) == 1


def test_late_buyers_of_a_released_class_wait_until_five_of_them_came():
    # Given a class released with five buyers
    store, objects = FakeExportStore(), FakeExportObjects()
    store.state.orders = [order(b, category=("home", "books")[i % 2])
                          for i, b in enumerate(buyers(5))]
    run(store, objects)

    # When one more buyer of that class arrives, Then it waits
    store.state.orders.append(order(buyers(1)[0]))
    assert (run(store, objects).rows, run(store, objects).waiting) == (0, 1)

    # When four more arrive, Then the five late ones go out, the class now of ten
    store.state.orders += [order(b, category="books") for b in buyers(4)]
    outcome = run(store, objects)
    assert (outcome.rows, outcome.waiting, outcome.k) == (5, 0, 10)


def test_five_orders_of_one_buyer_never_make_a_class():
    # Given five orders of one buyer in one class, two categories (row-level k = 5)
    store, objects = FakeExportStore(), FakeExportObjects()
    buyer = buyers(1)[0]
    store.state.orders = [order(buyer, category=("home", "books")[i % 2]) for i in range(5)]

    # When the export runs, Then nothing is released or written
    assert (run(store, objects).rows, run(store, objects).waiting) == (0, 5)
    assert objects.objects == {}


def test_rows_older_than_the_wait_window_are_never_released():
    # Given four buyers of a class 70 days ago and one yesterday, the window 62 days
    store, objects = FakeExportStore(), FakeExportObjects()
    store.state.orders = [order(b, category=("home", "books")[i % 2], age=timedelta(days=70))
                          for i, b in enumerate(buyers(4))]
    store.state.orders.append(order(buyers(1)[0], age=timedelta(days=70)))

    # When the export runs, Then the old rows are not even considered
    outcome = run(store, objects, analytics_export_max_wait_days=62)
    assert (outcome.rows, outcome.waiting) == (0, 0)


def test_a_failed_write_is_finished_by_the_next_run_with_the_same_bytes():
    # Given a run whose object write fails after its release was recorded
    store, objects = FakeExportStore(), FakeExportObjects(failures=1)
    store.state.orders = [order(b, category=("home", "books")[i % 2])
                          for i, b in enumerate(buyers(5))]
    with pytest.raises(Exception, match="unavailable"):
        run(store, objects)
    (release_id,) = store.state.releases
    assert store.state.written == {}

    # When the next run comes
    outcome = run(store, objects)

    # Then it writes that release's object, marks it written, and releases nothing new
    assert outcome.rewritten == 1
    assert outcome.release_id is None
    (path, data), = objects.objects.items()
    assert path == f"exports/orders/{release_id}.jsonl"
    assert len(lines(data)) == 5
    assert store.state.written == {release_id: NOW}


def test_an_accumulated_release_that_breaks_k_refuses_every_later_release():
    # Given an accumulated release holding, by a bug, a class of ONE buyer with five rows
    store, objects = FakeExportStore(), FakeExportObjects()
    alone = pseudonym("account", "someone", KEY)
    for i in range(5):
        row = order_candidate(f"bad{i}:home", alone, country="FR", total_amount=3_000,
                              placed_at=NOW, category=("home", "books")[i % 2])
        store.state.rows[("orders", row.source_id)] = ("20261101T000000Z-00000000", row)
    store.state.orders = [order(b, category=("home", "books")[i % 2])
                          for i, b in enumerate(buyers(5))]

    # When the export runs, Then the audit refuses and nothing new is recorded or written
    with pytest.raises(ReleaseBreaksAnonymity) as refused:
        run(store, objects)
    assert refused.value.audit.k == 1
    assert store.state.releases == {}
    assert objects.objects == {}


def test_a_refused_dataset_does_not_stop_the_other_and_the_run_fails():
    # Given orders whose accumulated release is broken and interactions of five persons
    store, objects = FakeExportStore(), FakeExportObjects()
    alone = pseudonym("account", "someone", KEY)
    row = order_candidate("bad:home", alone, country="FR", total_amount=3_000, placed_at=NOW,
                          category="home")
    store.state.rows[("orders", row.source_id)] = ("20261101T000000Z-00000000", row)
    store.state.orders = [order(b, category=("home", "books")[i % 2])
                          for i, b in enumerate(buyers(5))]
    store.state.interactions = [
        InteractionFact(str(uuid.uuid4()), f"{i:032x}", "DE", "phone", NOW - timedelta(hours=1),
                        "view", ("home", "books")[i % 2]) for i in range(5)]

    # When every dataset runs, Then it raises, after releasing the interactions
    with pytest.raises(ReleaseBreaksAnonymity):
        analytics_export.release_exports(uow=store, objects=objects, settings=SETTINGS)
    (path,) = objects.objects
    assert path.startswith("exports/interactions/")
    assert {r["week"] for r in lines(objects.objects[path])} == {"2026-W49"}
