"""Kill the purchase saga (its execution cancelled, the Workflows stand-in restarted)
mid-wait: the reconciler finishes each order from the provider's state, consistent
(docs/decisions/0014, "Faults"; helpers in test_order_faults.py)."""

from __future__ import annotations

from typing import Any

from common import bootstrap
from common.ports.workflow_executions import ExecutionNotFound
from devstack import manifest
from tests.e2e.orders import (
    act_on_page,
    card,
    get_order,
    order_body,
    place,
    stocked_product,
    wait_for_status,
)
from tests.e2e.test_order_faults import (
    PRICE,
    THREE_D_SECURE,
    assert_paid_once,
    cancel_saga,
    events,
    intents_of,
    ledger,
    sdk,  # noqa: F401 - a fixture
    settle,
    state,
    steps,
    stock,
    vendor,  # noqa: F401 - a fixture
    wait_until,
)

# ---- the saga: its execution cancelled, or the stand-in restarted ----

def test_a_saga_cancelled_then_a_failed_payment_is_released_by_the_reconciler(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order whose saga was cancelled mid-wait
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    placed = place(api, customer, order_body([(product["id"], 2)], card(THREE_D_SECURE)))
    order_id = placed.json()["id"]
    cancel_saga(order_id)
    # When the buyer fails authentication (no saga hears it) and the reconciler runs
    act_on_page(placed.json()["payment"]["next_action"]["url"], "fail")
    wait_until(lambda: state(order_id).payment, lambda s: s == "failed")
    assert stack.services["scheduler"].trigger("reconcile_orders").last_status == 200
    # Then the order failed from the provider's state, the stock back exactly once
    order = wait_for_status(api, customer, order_id, "payment_failed")
    assert order["failure_reason"] == "payment_failed"
    assert tuple(state(order_id))[::2] == ("payment_failed", "failed", "released")
    assert steps(order_id).count("stock_released") == 1 and stock(product["id"]) == 3
    assert intents_of(sdk, order_id) == ["requires_payment_method"]
    settle(stack, order_id)
    assert events(order_id, "order.payment_failed") == 1 and ledger(order_id) == {}


def restart_workflows(stack: Any) -> None:
    """Stop the stack's Workflows stand-in and start another on the same ports: every
    execution is lost (the stand-in keeps them in memory)."""
    from devstack.stack import HOST, PROJECT_ID, WORKFLOWS_LOCATION
    from devstack.workflows import start_workflows

    ports = stack.ports
    stack.services["workflows"].stop()
    stack.services["workflows"] = start_workflows(
        stack.local_dir, ports.workflows, ports.workflows_callbacks, project_id=PROJECT_ID,
        location=WORKFLOWS_LOCATION, workflows_dirs=[manifest.ROOT / "workflows"],
        pubsub_host=f"{HOST}:{ports.pubsub}",
        user_env={f"{f.name.upper()}_URL": f"{stack.base_url}/_internal/{f.name}"
                  for f in manifest.functions().values() if f.trigger == "internal"})


def _gone(name: str) -> bool:
    try:
        bootstrap.workflow_executions().get(name)
    except ExecutionNotFound:
        return True
    except Exception:  # noqa: BLE001 - the client's channel may still be reconnecting
        return False
    return False


def test_a_restarted_workflows_stand_in_gets_a_new_saga_from_the_reconciler(
        api, stack, sdk, customer, vendor):  # noqa: F811
    # Given a 3-D Secure order waiting for the buyer
    product = stocked_product(api, vendor, stock=3, price=PRICE)
    placed = place(api, customer, order_body([(product["id"], 1)], card(THREE_D_SECURE)))
    order_id = placed.json()["id"]
    first = wait_until(lambda: state(order_id).execution_name, bool)
    # When the stand-in restarts (its executions gone) and the reconciler runs
    restart_workflows(stack)
    wait_until(lambda: _gone(first), bool, timeout=15)
    assert stack.services["scheduler"].trigger("reconcile_orders").last_status == 200
    # Then the order has a new saga, which the buyer's authentication then completes
    second = wait_until(lambda: state(order_id).execution_name, lambda n: n != first)
    assert steps(order_id).count("saga_started") == 2
    act_on_page(placed.json()["payment"]["next_action"]["url"], "authorize")
    wait_for_status(api, customer, order_id, "paid")
    assert state(order_id).execution_name == second
    assert_paid_once(stack, sdk, order_id, product["id"], 2, vendor.id)
    assert get_order(api, customer, order_id)["payment"]["next_action"] is None
