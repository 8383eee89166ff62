"""The payment saga (workflows/payment.yaml) on the Workflows stand-in with the Stripe twin:
a provider outage is retried (by the SDK, then by the saga's http.default_retry) into one
refund; a refund the provider refuses fails and records nothing; a refund whose saga never
ran is finished by reconcile_refunds."""

from __future__ import annotations

import dataclasses

import pytest
import stripe as stripe_sdk
from sqlalchemy import text

from common import bootstrap
from common.adapters.stripe_payments import StripePayments
from common.domain.errors import ServiceUnavailable
from tests.integration.refunds.orders import (
    events,
    eventually,
    lines,
    order,
    paid_order,
    payment_ref,
    product,
    provider_refunds,
    refund_row,
)
from tests.integration.refunds.provider_faults import RefundOutage


@pytest.fixture
def stripe(stack):
    return stack.services["stripe"]


@pytest.fixture
def paid(api, customer, verified_vendor):
    """A paid order of 2 × 1500 from verified_vendor; (order, its line)."""
    lamp = product(api, verified_vendor, price=1500)
    bought = paid_order(api, customer, [(lamp, 2)])
    return bought, lines(bought)[lamp]


def refund_one(api, vendor, bought, line) -> str:
    response = api.post(f"/v1/orders/{bought['id']}:refund", headers=vendor.auth, json={
        "lines": [{"line_id": line["id"], "quantity": 1}], "reason": "Damaged"})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def finished(refund_id: str):
    return eventually(lambda: refund_row(refund_id), lambda r: r.status != "requested",
                      timeout=60)


@pytest.mark.parametrize("failures,provider_calls", [(2, 3), (3, 4)],
                         ids=["absorbed-by-the-sdk", "retried-by-the-saga"])
def test_a_provider_outage_is_retried_into_one_refund(api, verified_vendor, paid, stripe,
                                                      monkeypatch, failures, provider_calls):
    # Given the provider answering 503 to the first refund requests: twice (the SDK retries
    # twice itself), or three times (the step answers 503 and the saga retries it)
    outage = RefundOutage(stripe.base_url, failures)
    adapter = StripePayments.from_settings(
        dataclasses.replace(bootstrap.settings(), stripe_api_base=outage.base_url))
    monkeypatch.setattr(bootstrap, "payments", lambda: adapter)
    bought, line = paid
    try:
        # When the vendor refunds one lamp
        refund_id = refund_one(api, verified_vendor, bought, line)
        done = finished(refund_id)
    finally:
        outage.stop()

    # Then the refund succeeded, made once at the provider under one key, after the retries
    assert done.status == "succeeded"
    assert outage.refund_keys == [f"refund-{refund_id}"] * provider_calls
    assert [r["amount"] for r in provider_refunds(stripe, bought["id"])] == [1500]
    assert [e["refund_id"] for e in events(bought["id"], "order.refunded")] == [refund_id]


def test_a_refund_the_provider_refuses_fails_and_records_nothing(
        api, customer, verified_vendor, paid, stripe):
    # Given a payment already refunded in full at the provider (e.g. from its dashboard)
    bought, line = paid
    sdk = stripe_sdk.StripeClient(stripe.secret_key, base_addresses={"api": stripe.base_url},
                                  max_network_retries=0)
    sdk.v1.refunds.create(params={"payment_intent": payment_ref(bought["id"])})

    # When the vendor refunds a lamp
    refund_id = refund_one(api, verified_vendor, bought, line)

    # Then the provider refused it: the refund failed, the order and its lines unchanged,
    # no event, and the saga ended there
    done = finished(refund_id)
    assert (done.status, done.failure_reason) == ("failed", "provider_refused")
    view = order(api, customer, bought["id"])
    assert view["status"] == "paid" and lines(view)[line["product_id"]]["refunded_quantity"] == 0
    assert events(bought["id"], "order.refunded") == []
    execution = eventually(lambda: bootstrap.workflow_executions().get(done.execution_name),
                           lambda e: e.finished)
    assert execution.result == {"refund_id": refund_id, "status": "failed"}
    # And the provider holds only the refund made outside Bazaar
    assert [r["amount"] for r in provider_refunds(stripe, bought["id"])] == [3000]


class NoWorkflows:
    """Workflows unreachable: the saga cannot be started (our port, faked)."""

    def start(self, workflow_id, argument):  # noqa: ANN001
        raise ServiceUnavailable("workflows")


def test_a_refund_whose_saga_never_ran_is_finished_by_the_reconciler(
        api, verified_vendor, paid, stripe, stack, monkeypatch):
    # Given a refund requested while Workflows was unreachable, untouched for 10 minutes
    bought, line = paid
    monkeypatch.setattr(bootstrap, "workflow_executions", lambda: NoWorkflows())
    refund_id = refund_one(api, verified_vendor, bought, line)
    monkeypatch.undo()
    assert refund_row(refund_id).status == "requested" and not provider_refunds(
        stripe, bought["id"])
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE refunds SET updated_at = now() - interval '10 minutes' "
                        "WHERE id = :id"), {"id": refund_id})

    # When the scheduled reconciler runs
    run = stack.services["scheduler"].trigger("reconcile_refunds")

    # Then it executed and recorded the refund: one provider refund, order.refunded
    assert run.last_status == 200, run
    assert refund_row(refund_id).status == "succeeded"
    assert [r["amount"] for r in provider_refunds(stripe, bought["id"])] == [1500]
    assert [e["refund_id"] for e in events(bought["id"], "order.refunded")] == [refund_id]
