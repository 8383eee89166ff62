"""Kill the webhook door, the saga's decision steps and the refund step at their fault
points; the provider's retry, the saga's retry or the reconciler ends each order
consistent (docs/decisions/0014, "Faults"; helpers in test_order_faults.py).

The twin delivers webhooks to the session's door in-process, which a fault would kill with
the whole test session. So for a webhook fault the twin's endpoint is pointed, for one
delivery, at a stand-in instance: it hands that delivery, byte for byte, to a fresh
process of receive_stripe_webhook armed with the fault, and answers the twin 503 when that
process dies, as a load balancer would. The twin retries later (3 s at the test time
scale), straight to the door.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from common import bootstrap
from common.faults import EXIT_STATUS
from common.ports.workflow_executions import ExecutionStatus
from tests.conftest import ROOT
from tests.e2e.orders import act_on_page, card, order_body, place, stocked_product
from tests.e2e.test_order_faults import (
    PRICE,
    THREE_D_SECURE,
    answer_of,
    assert_paid_once,
    cancel_saga,
    die_at,
    events,
    intents_of,
    ledger,
    one,
    run_fresh,
    sdk,  # noqa: F401 - a fixture
    settle,
    state,
    steps,
    stock,
    values,
    vendor,  # noqa: F401 - a fixture
    wait_until,
)
from tests.integration.refunds.orders import provider_refunds

WEBHOOK_PATH = "/v1/payments/webhooks/stripe"
# One raw delivery to the webhook function in this process: the signature covers the bytes.
DELIVER_RAW = """
import sys
from devstack import manifest
from devstack.loader import load
app = load(manifest.functions()["receive_stripe_webhook"])
answer = app.test_client().post(sys.argv[1], data=sys.stdin.buffer.read(), headers={
    "Stripe-Signature": sys.argv[2], "Content-Type": "application/json"})
print(answer.status_code)
"""


class DyingInstance:
    """Takes the twin's deliveries: the first of `event_type` goes to a fresh process that
    dies at `point` (the twin is answered 503); every other one goes on to the door."""

    def __init__(self, door: str, point: str, event_type: str) -> None:
        self.door, self.point, self.event_type = door, point, event_type
        self.exit_status: int | None = None
        self.killed = threading.Event()
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{WEBHOOK_PATH}"

    def __call__(self, environ: dict, start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        signature = environ.get("HTTP_STRIPE_SIGNATURE", "")
        if json.loads(body)["type"] == self.event_type and not self.killed.is_set():
            self.exit_status = subprocess.run(
                [sys.executable, "-c", DELIVER_RAW, WEBHOOK_PATH, signature], input=body,
                cwd=ROOT, env={**os.environ, "BAZAAR_FAULT": self.point},
                capture_output=True, timeout=60).returncode
            self.killed.set()
            status = 503
        else:
            status = requests.post(self.door, data=body, timeout=30, headers={
                "Stripe-Signature": signature, "Content-Type": "application/json"}).status_code
        start_response(f"{status} Relayed", [("Content-Length", "0")])
        return [b""]


@contextlib.contextmanager
def deliveries_through(twin: Any, door: str, url: str) -> Iterator[None]:
    """Point the twin's endpoint of the door at `url` while the block runs."""
    with twin.api.store.lock:
        endpoints = [e for e in twin.api.store.of_kind("webhook_endpoint") if e["url"] == door]
        for endpoint in endpoints:
            endpoint["url"] = url
    try:
        yield
    finally:
        with twin.api.store.lock:
            for endpoint in endpoints:
                endpoint["url"] = door


def waiting_order(api, customer, seller) -> tuple[str, str, str]:  # noqa: ANN001
    """A 3-D Secure card order waiting for the buyer: (order id, product id, page url)."""
    product = stocked_product(api, seller, stock=3, price=PRICE)
    placed = place(api, customer, order_body([(product["id"], 1)], card(THREE_D_SECURE)))
    assert placed.status_code == 202, placed.text
    body = placed.json()
    return body["id"], product["id"], body["payment"]["next_action"]["url"]


def provider_event(payment_ref: str) -> Any:
    """The inbox row of the payment's `payment_intent.succeeded`."""
    return one("SELECT event_id, processed_at FROM provider_events WHERE payment_ref = :ref "
               "AND provider_type = 'payment_intent.succeeded'", ref=payment_ref)


# ---- the webhook door killed after the inbox, or after the hand-off ----

@pytest.mark.parametrize("point,payment_before", [
    ("webhook_after_inbox", "requires_action"), ("webhook_after_handoff", "succeeded"),
], ids=["after-inbox", "after-handoff"])
def test_a_webhook_killed_at_a_step_is_finished_by_the_providers_retry(
        api, stack, sdk, customer, vendor, point, payment_before):  # noqa: F811
    # Given a 3-D Secure order whose saga waits for the provider's word
    order_id, product_id, page = waiting_order(api, customer, vendor)
    twin, door = stack.services["stripe"], stack.base_url + WEBHOOK_PATH
    twin.wait_until_idle(10)
    instance = DyingInstance(door, point, "payment_intent.succeeded")
    # When the buyer authenticates and the webhook's instance dies at the step
    with deliveries_through(twin, door, instance.url):
        act_on_page(page, "authorize")
        assert instance.killed.wait(30) and instance.exit_status == EXIT_STATUS
        before = state(order_id)
        inbox = provider_event(before.provider_ref)
    instance.server.shutdown()
    # Then the event is in the inbox, not processed, and the order still waits
    assert (before.status, before.payment, inbox.processed_at) == (
        "pending_payment", payment_before, None)
    # And the provider's retry reaches the door: the saga is woken and completes the order
    wait_until(lambda: state(order_id).status, lambda s: s == "paid")
    execution = wait_until(lambda: bootstrap.workflow_executions().get(before.execution_name),
                           lambda e: e.state is not ExecutionStatus.ACTIVE)
    assert (execution.state, execution.result["outcome"]) == (ExecutionStatus.SUCCEEDED,
                                                              "succeeded")
    assert provider_event(before.provider_ref).processed_at is not None
    assert len(values("SELECT id FROM payment_events WHERE provider_event_id = :id",
                      id=f"stripe:{inbox.event_id}")) == 1
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)


# ---- the saga's decision steps killed after their commit ----

def test_complete_order_killed_after_its_commit_is_answered_by_the_sagas_retry(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given an order whose payment succeeded (its saga gone: this test plays the saga)
    order_id, product_id, page = waiting_order(api, customer, vendor)
    cancel_saga(order_id)
    act_on_page(page, "authorize")
    wait_until(lambda: state(order_id).payment, lambda s: s == "succeeded")
    # When complete_order dies right after its commit, before answering
    die_at("complete_after_commit", "complete_order", "/", {"order_id": order_id})
    # Then the order is paid, its event recorded once (the relay runs within the commit)
    assert state(order_id).status == "paid" and events(order_id, "order.paid") == 1
    # And the saga's retry answers paid without deciding again; the sweep publishes the event
    retry = requests.post(f"{stack.base_url}/_internal/complete_order",
                          json={"order_id": order_id}, timeout=30)
    assert (retry.status_code, retry.json()) == (200, {"status": "paid"})
    assert_paid_once(stack, sdk, order_id, product_id, 2, vendor.id)


def test_fail_order_killed_after_its_commit_releases_the_stock_once(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given an order the buyer never authenticates (its saga gone: this test plays the saga)
    order_id, product_id, _ = waiting_order(api, customer, vendor)
    cancel_saga(order_id)
    # When fail_order (the saga's timeout) dies right after its commit
    die_at("fail_after_commit", "fail_order", "/",
           {"order_id": order_id, "reason": "payment_timeout"})
    assert tuple(state(order_id))[::2] == ("payment_failed", "canceled", "released")
    # And the saga retries it
    retry = requests.post(f"{stack.base_url}/_internal/fail_order",
                          json={"order_id": order_id, "reason": "payment_timeout"}, timeout=30)
    # Then the order failed once: payment cancelled at the provider, stock back exactly once
    assert (retry.status_code, retry.json()) == (200, {"status": "payment_failed"})
    assert stock(product_id) == 3 and steps(order_id).count("stock_released") == 1
    assert intents_of(sdk, order_id) == ["canceled"]
    settle(stack, order_id)
    assert events(order_id, "order.payment_failed") == 1 and ledger(order_id) == {}


# ---- the refund step killed after the provider gave the money back ----

def test_a_refund_killed_after_the_provider_refunded_is_recorded_once_by_the_reconciler(
        api, stack, sdk, customer, vendor, admin):  # noqa: F811
    # Given a paid order, its sale in the ledger
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    order_id = place(api, customer, order_body([(product["id"], 1)], card())).json()["id"]
    wait_until(lambda: state(order_id).status, lambda s: s == "paid")
    settle(stack, order_id)
    # And an admin's refund of all of it requested while Workflows is down (no saga runs)
    refund = answer_of(run_fresh(
        "refund_order", f"/v1/orders/{order_id}:refund", {"reason": "Damaged in transit"},
        {**admin.auth, "Idempotency-Key": f"refund-{order_id}"},
        WORKFLOWS_EMULATOR_HOST="127.0.0.1:9"))
    assert (refund["status"], refund["body"]["status"]) == (200, "requested"), refund
    refund_id = refund["body"]["id"]
    # When the saga's execute_refund dies after the provider refunded, before marking it
    die_at("refund_after_provider", "execute_refund", "/", {"refund_id": refund_id})
    assert [r["amount"] for r in provider_refunds(stack.services["stripe"], order_id)] == [PRICE]
    assert one("SELECT status, provider_refund_ref FROM refunds WHERE id = :id",
               id=refund_id) == ("requested", None)
    # And the reconciler finds it stale (5 minutes untouched: aged here) and finishes it
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE refunds SET updated_at = now() - interval '6 minutes' "
                        "WHERE id = :id"), {"id": refund_id})
    assert stack.services["scheduler"].trigger("reconcile_refunds").last_status == 200
    # Then the provider's refund was made once, recorded once, and the ledger nets to zero
    assert one("SELECT status FROM refunds WHERE id = :id", id=refund_id).status == "succeeded"
    assert [r["amount"] for r in provider_refunds(stack.services["stripe"], order_id)] == [PRICE]
    assert state(order_id).status == "refunded" and events(order_id, "order.refunded") == 1
    settle(stack, order_id)
    # (sale and refund journals: customer funds and commission net to 0, payable 0)
    assert ledger(order_id) == {("vendor_sales", vendor.id): -PRICE,
                                ("vendor_refunds", vendor.id): PRICE}
    assert sum(ledger(order_id).values()) == 0
