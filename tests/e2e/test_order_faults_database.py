"""The database lost at each remaining step of buying and paying: the step answers 503 (a
consumer raises) with nothing half-written, and production's own retry ends the order
consistent (docs/decisions/0014, "Faults"; helpers in test_order_faults.py).

The fault: the test holds a row lock (or an uncommitted row) the step needs, waits until
the step's backend blocks on it, and terminates that backend with pg_terminate_backend, as
a failover or the server killing it would. The recovery is production's: the twin's
webhook retry, the saga's HTTP retry (seen here as the retried step blocking on the lock
again, before the lock is let go), the scheduler's next run, Pub/Sub's redelivery.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import text

from common import bootstrap
from common.ports.workflow_executions import ExecutionStatus
from tests.e2e.orders import act_on_page, card, order_body, place, stocked_product
from tests.e2e.test_order_faults import (
    PRICE,
    answer_of,
    assert_paid_once,
    cancel_saga,
    events,
    intents_of,
    ledger,
    one,
    run_fresh,
    sale,
    sdk,  # noqa: F401 - a fixture
    settle,
    state,
    steps,
    stock,
    values,
    vendor,  # noqa: F401 - a fixture
    wait_until,
)
from tests.e2e.test_order_faults_steps import provider_event, waiting_order
from tests.integration.refunds.orders import provider_refunds

# ---- helpers ----


@contextlib.contextmanager
def holding(sql: str, **params: Any) -> Iterator[sqlalchemy.Connection]:
    """A transaction that holds `sql`'s row lock (or uncommitted row) while the block runs."""
    with bootstrap.engine().connect() as owner:
        owner.execute(text(sql), params)
        try:
            yield owner
        finally:
            owner.rollback()


def waiting_on(owner: sqlalchemy.Connection, role: str) -> list[int]:
    """The backends of the step's database role waiting for a lock that `owner` holds."""
    me = owner.execute(text("SELECT pg_backend_pid()")).scalar()
    return values("SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                  "usename = :role AND :me = ANY(pg_blocking_pids(pid))", me=me, role=role)


def terminate_the_step(owner: sqlalchemy.Connection, role: str) -> int:
    """Wait for the step to block on the lock, then terminate its backend at once (within
    its 5 s statement timeout, which would end the wait otherwise); its pid."""
    [pid] = wait_until(lambda: waiting_on(owner, role), bool, timeout=15)
    owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return pid


def retried(owner: sqlalchemy.Connection, role: str, killed: int) -> None:
    """Wait until the step's retry blocks on the lock in its turn: the recovery came. (A
    saga retries 429, 502, 503 and 504 only: its retry shows that the step answered 503.)"""
    wait_until(lambda: [pid for pid in waiting_on(owner, role) if pid != killed], bool,
               timeout=15)


def in_background(call: Any) -> tuple[threading.Thread, list]:
    """Run `call` in a thread (a scheduler trigger waits for its run); its answer kept."""
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    return thread, answers


def ended(name: str) -> Any:
    return wait_until(lambda: bootstrap.workflow_executions().get(name),
                      lambda e: e.state is not ExecutionStatus.ACTIVE)


def attached(order_id: str) -> str:
    """The saga's callback URL, once its first attach has stored it (and let the row go)."""
    return wait_until(lambda: one("SELECT callback_url FROM payments WHERE order_id = :id",
                                  id=order_id).callback_url, bool)


def undecided(order_id: str, payment: str, product_id: str) -> None:
    """Pending, the reservation held (one unit), no decision written (no step, no event)."""
    assert tuple(state(order_id))[::2] == ("pending_payment", payment, "held")
    assert stock(product_id) == 2
    assert {"paid", "payment_failed", "stock_released"}.isdisjoint(steps(order_id))
    assert events(order_id, "order.paid") == events(order_id, "order.payment_failed") == 0


def assert_failed_once(stack: Any, order_id: str, product_id: str, reason: str,
                       payment: str) -> None:
    """Failed once for `reason`: the stock back exactly once, one event, no ledger."""
    assert tuple(state(order_id))[::2] == ("payment_failed", payment, "released")
    assert one("SELECT failure_reason FROM orders WHERE id = :id", id=order_id)[0] == reason
    assert stock(product_id) == 3 and steps(order_id).count("stock_released") == 1
    settle(stack, order_id)
    assert events(order_id, "order.payment_failed") == 1 and ledger(order_id) == {}


# ---- the webhook door: its hand-off transaction ----

def test_a_webhook_whose_hand_off_loses_the_database_is_finished_by_the_providers_retry(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order whose saga waits on its callback, and its payment's row held
    order_id, product_id, page = waiting_order(api, customer, vendor)
    attached(order_id)
    twin = stack.services["stripe"]
    twin.wait_until_idle(10)
    with holding("SELECT 1 FROM payments WHERE order_id = :id FOR UPDATE", id=order_id) as owner:
        # When the buyer authenticates and the hand-off's connection is terminated
        act_on_page(page, "authorize")
        terminate_the_step(owner, "bazaar_payments")
        inbox = provider_event(state(order_id).provider_ref)
        # Then the event is in the inbox, unprocessed, and nothing else was written
        assert inbox.processed_at is None
        undecided(order_id, "requires_action", product_id)
    assert not values("SELECT id FROM payment_events WHERE provider_event_id = :id",
                      id=f"stripe:{inbox.event_id}")
    # And the provider's retry (the door answered 503) hands it off: the saga pays it
    wait_until(lambda: state(order_id).status, lambda s: s == "paid")
    assert [a["status"] for a in twin.webhooks.attempts
            if a["event"] == inbox.event_id] == [503, 200]
    execution = ended(state(order_id).execution_name)
    assert (execution.state, execution.result["outcome"]) == (ExecutionStatus.SUCCEEDED,
                                                              "succeeded")
    assert provider_event(state(order_id).provider_ref).processed_at is not None
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)


# ---- the purchase saga's steps ----

def test_attach_losing_the_database_is_retried_by_the_saga_which_still_waits(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order whose saga waits on its callback
    order_id, product_id, page = waiting_order(api, customer, vendor)
    callback = attached(order_id)
    with holding("SELECT 1 FROM payments WHERE order_id = :id FOR UPDATE", id=order_id) as owner:
        # When a wake-up (a duplicate webhook's) makes it attach, and attach's connection
        # is terminated while it waits for the payment's row
        assert bootstrap.workflow_callbacks().send(callback, {"event": "wake"})
        killed = terminate_the_step(owner, "bazaar_sagas")
        # Then attach answered 503, which the saga retries instead of compensating
        retried(owner, "bazaar_sagas", killed)
        undecided(order_id, "requires_action", product_id)
        assert intents_of(sdk, order_id) == ["requires_action"]
        assert steps(order_id).count("awaiting_payment") == 1
    # And the saga, waiting again, pays the order once the buyer authenticates
    act_on_page(page, "authorize")
    execution = ended(state(order_id).execution_name)
    assert (execution.state, execution.result["outcome"]) == (ExecutionStatus.SUCCEEDED,
                                                              "succeeded")
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)


def test_fail_order_losing_the_database_is_retried_by_the_saga_and_releases_once(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order whose product's row is held
    order_id, product_id, page = waiting_order(api, customer, vendor)
    with holding("SELECT 1 FROM products WHERE id = :id FOR UPDATE", id=product_id) as owner:
        # When the buyer fails authentication and the saga's fail_order loses its
        # connection while it waits to return the stock
        act_on_page(page, "fail")
        killed = terminate_the_step(owner, "bazaar_sagas")
        # Then it answered 503, the saga retries it, and nothing was released or decided
        retried(owner, "bazaar_sagas", killed)
        undecided(order_id, "failed", product_id)
    # And the retry fails the order once
    execution = ended(state(order_id).execution_name)
    assert (execution.state, execution.result["outcome"]) == (ExecutionStatus.SUCCEEDED,
                                                              "payment_failed")
    assert_failed_once(stack, order_id, product_id, "payment_failed", "failed")
    assert intents_of(sdk, order_id) == ["requires_payment_method"]


# ---- the scheduled jobs: the expiry sweep and the reconciler ----

def lease_ended(order_id: str) -> None:
    """The claim a failed run left lapses (2 minutes; the next runs find it lapsed)."""
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE orders SET claimed_until = now() - interval '1 s' "
                        "WHERE id = :id"), {"id": order_id})


def test_the_expiry_sweep_losing_the_database_is_a_503_and_its_next_run_releases_once(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given an unpaid order whose reservation expired (its saga gone, its product's row held)
    order_id, product_id, _ = waiting_order(api, customer, vendor)
    cancel_saga(order_id)
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE orders SET reservation_expires_at = now() - interval '1 s' "
                        "WHERE id = :id"), {"id": order_id})
    scheduler = stack.services["scheduler"]
    with holding("SELECT 1 FROM products WHERE id = :id FOR UPDATE", id=product_id) as owner:
        # When the sweep's connection is terminated while it waits to return the stock
        run, answers = in_background(
            lambda: scheduler.trigger("expire_reservations").last_status)
        terminate_the_step(owner, "bazaar_sagas")
        run.join(30)
        # Then the run answers 503: the payment was cancelled first, nothing else written
        assert answers == [503]
        undecided(order_id, "canceled", product_id)
        assert intents_of(sdk, order_id) == ["canceled"]
    # And a later run fails the order once
    lease_ended(order_id)
    assert scheduler.trigger("expire_reservations").last_status == 200
    assert_failed_once(stack, order_id, product_id, "reservation_expired", "canceled")
    assert intents_of(sdk, order_id) == ["canceled"]


def test_the_reconciler_losing_the_database_leaves_the_order_to_its_next_run(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given an order paid at the provider while its saga was gone
    order_id, product_id, page = waiting_order(api, customer, vendor)
    cancel_saga(order_id)
    act_on_page(page, "authorize")
    wait_until(lambda: state(order_id).payment, lambda s: s == "succeeded")
    scheduler = stack.services["scheduler"]
    with holding("SELECT 1 FROM stock_reservations WHERE order_id = :id FOR UPDATE",
                 id=order_id) as owner:
        # When the reconciler's connection is terminated while it commits the reservation
        run, answers = in_background(lambda: scheduler.trigger("reconcile_orders").last_status)
        terminate_the_step(owner, "bazaar_sagas")
        run.join(30)
        # Then the run goes on to its other orders (200) and this one is not half paid
        assert answers == [200]
        undecided(order_id, "succeeded", product_id)
    # And the next run pays it once
    lease_ended(order_id)
    assert scheduler.trigger("reconcile_orders").last_status == 200
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)


# ---- the payment saga's steps ----

@pytest.mark.parametrize("step,held", [
    ("execute_refund", "SELECT 1 FROM refunds WHERE id = :refund FOR UPDATE"),
    ("record_refund", "SELECT 1 FROM orders WHERE id = :order FOR UPDATE"),
], ids=["execute-refund", "record-refund"])
def test_a_refund_step_losing_the_database_is_retried_by_the_saga_and_refunds_once(
        api, stack, sdk, customer, vendor, admin, step, held):  # noqa: F811
    # Given a paid order and an admin's refund of all of it, requested while Workflows was
    # down (so that this test starts its saga, as the door would, with a row held)
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    order_id = place(api, customer, order_body([(product["id"], 1)], card())).json()["id"]
    wait_until(lambda: state(order_id).status, lambda s: s == "paid")
    settle(stack, order_id)
    refund = answer_of(run_fresh(
        "refund_order", f"/v1/orders/{order_id}:refund", {"reason": "Damaged in transit"},
        {**admin.auth, "Idempotency-Key": f"refund-{order_id}"},
        WORKFLOWS_EMULATOR_HOST="127.0.0.1:9"))
    refund_id = refund["body"]["id"]
    with holding(held, refund=refund_id, order=order_id) as owner:
        # When the step's connection is terminated while it waits for the row
        name = bootstrap.workflow_executions().start("payment", {"refund_id": refund_id})
        killed = terminate_the_step(owner, "bazaar_refunds")
        # Then it answered 503 and the saga retries it; the money went back once and
        # nothing was recorded past what the step had committed
        retried(owner, "bazaar_refunds", killed)
        executed = one("SELECT status, provider_refund_ref FROM refunds WHERE id = :id",
                       id=refund_id)
        assert (executed.status, executed.provider_refund_ref is not None) == (
            "requested", step == "record_refund")
        assert state(order_id).status == "paid" and events(order_id, "order.refunded") == 0
        assert "refund_succeeded" not in steps(order_id)
    # And the saga ends with the refund made once at the provider and recorded once
    execution = ended(name)
    assert (execution.state, execution.result["status"]) == (ExecutionStatus.SUCCEEDED,
                                                             "succeeded")
    assert [r["amount"] for r in provider_refunds(stack.services["stripe"], order_id)] == [PRICE]
    assert state(order_id).status == "refunded" and events(order_id, "order.refunded") == 1
    assert steps(order_id).count("refund_succeeded") == 1 and stock(product["id"]) == 2
    settle(stack, order_id)
    assert ledger(order_id) == {("vendor_sales", vendor.id): -PRICE,
                                ("vendor_refunds", vendor.id): PRICE}


# ---- the ledger's consumer: Pub/Sub redelivers ----

def test_post_sale_losing_the_database_raises_and_the_redelivery_posts_the_sale_once(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order whose sale journal's key is taken by an uncommitted row
    order_id, product_id, page = waiting_order(api, customer, vendor)
    with holding("INSERT INTO ledger_journals (id, idempotency_key, kind, order_id) "
                 "VALUES (gen_random_uuid(), :key, 'sale', :id)",
                 key=f"sale:{order_id}", id=order_id) as owner:
        # When the order is paid and post_sale's connection is terminated while it waits
        act_on_page(page, "authorize")
        killed = terminate_the_step(owner, "bazaar_ledger")
        # Then the consumer raised, Pub/Sub redelivers, and nothing of the sale was written
        retried(owner, "bazaar_ledger", killed)
        assert state(order_id).status == "paid" and ledger(order_id) == {}
        assert not values("SELECT part_id FROM vendor_transfers WHERE order_id = :id",
                          id=order_id)
        assert not values("SELECT event_id FROM inbox_events WHERE consumer = 'post_sale' "
                          "AND event_id IN (SELECT id FROM outbox_events WHERE "
                          "type = 'order.paid' AND payload->>'order_id' = :id)", id=order_id)
    # And the redelivery posts the sale once, the vendor's share held until delivery
    stack.services["pubsub"].wait_until_idle(timeout=30)
    assert ledger(order_id) == sale(vendor.id)
    assert values("SELECT amount FROM vendor_transfers WHERE order_id = :id AND "
                  "status = 'held'", id=order_id) == [PRICE - 250]
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)
