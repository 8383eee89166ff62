"""Kill placement, the saga or the database at a step, recover as production would, and
every order ends consistent (docs/decisions/0014, "Faults").

A step runs in a fresh process armed with BAZAAR_FAULT=<point> (common/faults.py): it dies
there as a killed instance would, answering nothing. Recovery is what production has: the
client's retry with the same Idempotency-Key, the provider's webhook retry, the saga's HTTP
retry, the scheduled reconciler (triggered here instead of waited for). Then the end state
is checked exactly: one order per key, paid (or failed) once, one PaymentIntent at the twin
per order, stock = initial − sold, and the ledger balanced. The webhook, saga-step and
refund faults are in test_order_faults_steps.py, the saga's in
test_order_faults_saga.py; this module's helpers serve both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import pytest
import requests
import stripe
from sqlalchemy import engine as sa_engine
from sqlalchemy import text

from common import bootstrap
from common.faults import EXIT_STATUS
from tests.conftest import ROOT
from tests.e2e.orders import (
    accept_methods,
    act_on_page,
    card,
    get_order,
    order_body,
    place,
    stocked_product,
    wait_for_status,
)

PRICE, COMMISSION = 2500, 250  # the default 10 % of one unit
THREE_D_SECURE = "pm_card_threeDSecure2Required"


# ---- helpers (test_order_faults_steps.py imports them) ----

def run_fresh(function: str, path: str, body: Any, headers: dict | None = None,
              **env: str) -> subprocess.CompletedProcess:
    """POST to one function in a fresh process (tests/integration/call_function.py)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", function, "POST", path,
         json.dumps(body), json.dumps(headers or {})],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=90)


def die_at(point: str, function: str, path: str, body: Any, headers: dict | None = None,
           **env: str) -> None:
    """Run the step in a fresh process that dies at `point`; it must have reached it."""
    result = run_fresh(function, path, body, headers, BAZAAR_FAULT=point, **env)
    assert result.returncode == EXIT_STATUS, result.stdout[-1500:] + result.stderr[-1500:]


def answer_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr[-1500:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def one(sql: str, **params: Any) -> Any:
    with bootstrap.engine().connect() as db:
        return db.execute(text(sql), params).one()


def values(sql: str, **params: Any) -> list:
    with bootstrap.engine().connect() as db:
        return list(db.execute(text(sql), params).scalars())


def orders_for_key(buyer_id: str, key: str) -> list[str]:
    return [str(v) for v in values("SELECT id FROM orders WHERE buyer_id = :b AND "
                                   "idempotency_key = :k", b=buyer_id, k=key)]


def state(order_id: str) -> Any:
    """The order's status, payment, reservation and saga, as the database holds them."""
    return one("SELECT o.status, o.execution_name, p.status AS payment, p.provider_ref, "
               "r.status AS reservation FROM orders o JOIN payments p ON p.order_id = o.id "
               "JOIN stock_reservations r ON r.order_id = o.id WHERE o.id = :id", id=order_id)


def steps(order_id: str) -> list[str]:
    return values("SELECT step FROM order_steps WHERE order_id = :id ORDER BY id", id=order_id)


def events(order_id: str, event_type: str) -> int:
    return len(values("SELECT id FROM outbox_events WHERE type = :t AND "
                      "payload->>'order_id' = :id", t=event_type, id=order_id))


def stock(product_id: str) -> int:
    return one("SELECT stock FROM products WHERE id = :id", id=product_id).stock


def intents_of(sdk: stripe.StripeClient, order_id: str) -> list[str]:
    """The statuses of the twin's PaymentIntents whose metadata names the order."""
    newest = sdk.v1.payment_intents.list(params={"limit": 100}).data
    return [pi.status for pi in newest if pi.metadata.to_dict().get("order_id") == order_id]


def settle(stack: Any, order_id: str) -> None:
    """Publish what a dead process left in the outbox (sweep_outbox skips events younger
    than 30 s: they are aged here) and wait until the consumers are done."""
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE outbox_events SET occurred_at = occurred_at - interval '31 s' "
                        "WHERE published_at IS NULL AND payload->>'order_id' = :id"),
                   {"id": order_id})
    assert stack.services["scheduler"].trigger("sweep_outbox").last_status == 200
    stack.services["pubsub"].wait_until_idle(timeout=30)


def ledger(order_id: str) -> dict[tuple[str, str | None], int]:
    with bootstrap.engine().connect() as db:
        rows = db.execute(text("SELECT account, CAST(vendor_id AS text) AS vendor, "
                               "sum(amount) AS total FROM ledger_entries WHERE order_id = :id "
                               "GROUP BY account, vendor_id"), {"id": order_id})
        return {(r.account, r.vendor): int(r.total) for r in rows if r.total}


def sale(vendor_id: str, total: int = PRICE, commission: int = COMMISSION) -> dict:
    """The ledger of a paid order of one part: balanced, the vendor owed total − commission."""
    return {("customer_funds", None): total, ("vendor_sales", vendor_id): -total,
            ("vendor_commission", vendor_id): commission,
            ("platform_commission", None): -commission}


def assert_paid_once(stack: Any, sdk: stripe.StripeClient, order_id: str, product_id: str,
                     stock_left: int, vendor_id: str) -> None:
    """Paid once, one succeeded PaymentIntent, the stock taken once, one sale journal."""
    assert tuple(state(order_id))[::2] == ("paid", "succeeded", "committed")
    assert steps(order_id).count("paid") == 1
    assert events(order_id, "order.paid") == 1
    assert intents_of(sdk, order_id) == ["succeeded"]
    assert stock(product_id) == stock_left
    settle(stack, order_id)
    assert ledger(order_id) == sale(vendor_id)
    assert sum(ledger(order_id).values()) == 0


def wait_until(read, done, timeout: float = 30) -> Any:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not done(value := read()):
        assert time.monotonic() < deadline, value
        time.sleep(0.05)
    return value


def cancel_saga(order_id: str) -> str:
    """Cancel the order's purchase execution (as an operator or a crash would end it)."""
    name = state(order_id).execution_name
    bootstrap.workflow_executions().cancel(name)
    return name


@pytest.fixture
def vendor(api, verified_vendor):
    accept_methods(api, verified_vendor)
    return verified_vendor


@pytest.fixture(scope="module")
def sdk(stack) -> stripe.StripeClient:
    twin = stack.services["stripe"]
    return stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                               max_network_retries=0)


# ---- placement: POST /v1/orders killed after each of its steps ----

@pytest.mark.parametrize("point,payment,intents", [
    ("order_after_reserve", "creating", []),
    ("order_after_payment_recorded", "succeeded", ["succeeded"]),
    ("order_after_saga_start", "succeeded", ["succeeded"]),
], ids=["after-reserve", "after-payment-recorded", "after-saga-start"])
def test_placement_killed_at_a_step_is_finished_by_the_clients_retry(
        api, stack, sdk, customer, vendor, point, payment, intents):
    # Given a placement that dies at the step, answering nothing
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    body, key = order_body([(product["id"], 1)], card()), f"fault-{uuid.uuid4()}"
    die_at(point, "place_order", "/v1/orders", body,
           {**customer.auth, "Idempotency-Key": key})
    # Then one order holds the stock, with what the dead process had done
    [order_id] = orders_for_key(customer.id, key)
    assert (state(order_id).payment, state(order_id).execution_name) == (payment, None)
    assert intents_of(sdk, order_id) == intents and stock(product["id"]) == 2
    # When the client retries with the same key
    retry = place(api, customer, body, key)
    # Then it gets the same order, which is paid once
    assert retry.status_code in (200, 202) and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == order_id
    wait_for_status(api, customer, order_id, "paid")
    assert orders_for_key(customer.id, key) == [order_id]
    assert_paid_once(stack, sdk, order_id, product["id"], 2, vendor.id)


def test_a_payment_whose_recording_died_is_resumed_by_the_reconciler(
        api, stack, sdk, customer, vendor):
    # Given a 3-D Secure placement that dies once the provider made the payment, unrecorded
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    key = f"fault-{uuid.uuid4()}"
    die_at("order_after_provider_payment", "place_order", "/v1/orders",
           order_body([(product["id"], 1)], card(THREE_D_SECURE)),
           {**customer.auth, "Idempotency-Key": key})
    [order_id] = orders_for_key(customer.id, key)
    assert intents_of(sdk, order_id) == ["requires_action"]
    # And the provider's webhook says it requires action, without saying which (no saga yet)
    stack.services["stripe"].wait_until_idle(10)
    assert (state(order_id).payment, state(order_id).execution_name) == ("requires_action",
                                                                         None)
    # When the client never comes back and the reconciler runs past the placement's grace
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE orders SET created_at = now() - interval '61 s' "
                        "WHERE id = :id"), {"id": order_id})
    assert stack.services["scheduler"].trigger("reconcile_orders").last_status == 200
    # Then it resumed the placement from the provider's state: the buyer is shown where to
    # authenticate, and doing so pays the one payment once
    shown = wait_until(lambda: get_order(api, customer, order_id)["payment"]["next_action"],
                       bool, timeout=10)
    assert shown["type"] == "authenticate" and intents_of(sdk, order_id) == ["requires_action"]
    act_on_page(shown["url"], "authorize")
    wait_for_status(api, customer, order_id, "paid")
    assert_paid_once(stack, sdk, order_id, product["id"], 2, vendor.id)


# ---- the database unavailable at a step ----

def test_placement_with_the_database_down_is_a_503_and_writes_nothing(
        api, stack, sdk, customer, vendor, tmp_path):
    # Given a function whose database does not answer (its socket is not there)
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    body, key = order_body([(product["id"], 1)], card()), f"fault-{uuid.uuid4()}"
    down = sa_engine.make_url(os.environ["DATABASE_URL"]).update_query_dict(
        {"unix_sock": str(tmp_path / ".s.PGSQL.5432")})
    newest = [pi.id for pi in sdk.v1.payment_intents.list(params={"limit": 1}).data]
    # When the customer orders
    answer = answer_of(run_fresh("place_order", "/v1/orders", body,
                                 {**customer.auth, "Idempotency-Key": key},
                                 DATABASE_URL=down.render_as_string(hide_password=False)))
    # Then it is a 503 to retry, and nothing was reserved or charged
    assert (answer["status"], answer["body"]["code"]) == (503, "service_unavailable")
    assert answer["headers"]["Retry-After"].isdigit()
    assert orders_for_key(customer.id, key) == [] and stock(product["id"]) == 3
    assert [pi.id for pi in sdk.v1.payment_intents.list(params={"limit": 1}).data] == newest
    # And the retry places and pays it
    retry = place(api, customer, body, key)
    assert retry.status_code == 202, retry.text
    wait_for_status(api, customer, retry.json()["id"], "paid")
    assert_paid_once(stack, sdk, retry.json()["id"], product["id"], 2, vendor.id)


def test_complete_order_losing_its_database_connection_is_a_503_then_the_retry_pays(
        api, stack, sdk, customer, vendor):
    # Given an order whose payment succeeded while its saga was gone
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    placed = place(api, customer, order_body([(product["id"], 1)], card(THREE_D_SECURE)))
    order_id = placed.json()["id"]
    cancel_saga(order_id)
    act_on_page(placed.json()["payment"]["next_action"]["url"], "authorize")
    wait_until(lambda: state(order_id).payment, lambda s: s == "succeeded")
    # When the saga's complete_order step waits for the order's row and its database
    # connection is terminated (a failover, or the server killing it)
    step = f"{stack.base_url}/_internal/complete_order"
    answers: list[requests.Response] = []
    with bootstrap.engine().connect() as owner:
        owner.execute(text("SELECT 1 FROM orders WHERE id = :id FOR UPDATE"), {"id": order_id})
        caller = threading.Thread(target=lambda: answers.append(
            requests.post(step, json={"order_id": order_id}, timeout=30)))
        caller.start()
        blocked = wait_until(lambda: values(
            "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() <> pid AND "
            ":me = ANY(pg_blocking_pids(pid))",
            me=owner.execute(text("SELECT pg_backend_pid()")).scalar()), bool, timeout=4)
        owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": blocked[0]})
        caller.join(30)
        owner.rollback()
    # Then the step answers 503 (the saga retries it) and nothing is half-written
    assert answers[0].status_code == 503, answers[0].text
    assert tuple(state(order_id))[::2] == ("pending_payment", "succeeded", "held")
    assert "paid" not in steps(order_id) and events(order_id, "order.paid") == 0
    # And the saga's retry completes it
    retry = requests.post(step, json={"order_id": order_id}, timeout=30)
    assert (retry.status_code, retry.json()) == (200, {"status": "paid"})
    assert_paid_once(stack, sdk, order_id, product["id"], 2, vendor.id)
