"""The purchase saga (workflows/purchase.yaml) on the Workflows stand-in of the session
stack, calling the real step functions, with the Stripe twin behind them."""

from __future__ import annotations

import time

from sqlalchemy import text

from common import bootstrap
from common.ports.workflow_executions import ExecutionStatus
from tests.e2e.orders import accept_methods, card, order_body, place, stocked_product


def _finished(name: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        state = bootstrap.workflow_executions().get(name)
        if state.finished or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def _paid_order(api, customer, vendor) -> tuple[str, str]:
    accept_methods(api, vendor)
    product = stocked_product(api, vendor)
    placed = place(api, customer, order_body([(product["id"], 1)], card())).json()
    with bootstrap.engine().connect() as db:
        name = db.execute(text("SELECT execution_name FROM orders WHERE id = :id"),
                          {"id": placed["id"]}).scalar()
    return placed["id"], name


def test_the_saga_completes_a_card_order_and_returns_its_status(api, customer,
                                                                verified_vendor):
    order_id, name = _paid_order(api, customer, verified_vendor)
    state = _finished(name)
    assert state.state is ExecutionStatus.SUCCEEDED
    assert state.result == {"order_id": order_id, "status": "paid", "outcome": "succeeded"}


def test_a_second_saga_of_a_settled_order_ends_without_doing_anything(api, customer,
                                                                      verified_vendor):
    order_id, name = _paid_order(api, customer, verified_vendor)
    _finished(name)
    with bootstrap.engine().connect() as db:
        payment_id = db.execute(text("SELECT id FROM payments WHERE order_id = :id"),
                                {"id": order_id}).scalar()
    again = bootstrap.workflow_executions().start(
        "purchase", {"order_id": order_id, "payment_id": str(payment_id), "timeout_s": 900})
    state = _finished(again)
    assert state.state is ExecutionStatus.SUCCEEDED
    assert state.result == {"order_id": order_id, "status": "paid", "outcome": "settled"}
    with bootstrap.engine().connect() as db:
        paid_events = db.execute(text(
            "SELECT count(*) FROM outbox_events WHERE type = 'order.paid' "
            "AND payload->>'order_id' = :id"), {"id": order_id}).scalar()
    assert paid_events == 1
