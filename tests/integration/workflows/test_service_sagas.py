"""Saga-shaped workflows (tests/integration/workflows/sagas/) on the Workflows stand-in against
failing local endpoints: retries, compensation in reverse order, callbacks and their timeout."""

from __future__ import annotations

import json
import threading

from google.cloud.workflows.executions_v1 import ExecutionsClient, types

from tests.integration.workflows.conftest import (
    LOCATION,
    PROJECT,
    TIME_SCALE,
    send_json,
    wait_finished,
    wait_until,
)

State = types.Execution.State


def run_saga(client, workflow_id: str, argument: dict) -> types.Execution:
    parent = ExecutionsClient.workflow_path(PROJECT, LOCATION, workflow_id)
    created = client.create_execution(parent=parent,
                                      execution=types.Execution(argument=json.dumps(argument)))
    return created


def purchase(client, endpoints) -> types.Execution:
    created = run_saga(client, "purchase_saga",
                       {"base_url": endpoints.base_url, "order": "o-42", "amount": 1999})
    return wait_finished(client, created.name)


def test_charge_failing_twice_with_503_is_retried_and_the_saga_succeeds(client, endpoints):
    # Given a charge endpoint that answers 503 twice, then 200
    endpoints.answer("charge", 503, 503)
    # When the purchase saga runs
    finished = purchase(client, endpoints)
    # Then http.default_retry retried it, no compensation ran, and the saga succeeded
    assert finished.state == State.SUCCEEDED
    assert json.loads(finished.result) == {
        "reservation": "reserve-1", "delivery": "book_delivery-1", "payment": "charge-3"}
    assert endpoints.order() == ["reserve", "book_delivery", "charge", "charge", "charge"]
    assert endpoints.bodies("charge") == [{"order": "o-42", "amount": 1999}] * 3


def test_a_declined_charge_is_not_retried_and_compensates_in_reverse_order(client, endpoints):
    # Given a charge endpoint that declines with 402
    endpoints.always["charge"] = 402
    # When the purchase saga runs
    finished = purchase(client, endpoints)
    # Then the delivery is cancelled, then the reservation released, and the saga FAILED
    # with the charge's own HttpError
    assert endpoints.order() == ["reserve", "book_delivery", "charge", "cancel_delivery",
                                 "release"]
    assert endpoints.bodies("cancel_delivery") == [{"delivery": "book_delivery-1"}]
    assert endpoints.bodies("release") == [{"reservation": "reserve-1"}]
    assert finished.state == State.FAILED
    error = json.loads(finished.error.payload)
    assert (error["tags"], error["code"], error["body"]) == (
        ["HttpError"], 402, {"error": "status 402"})
    assert error["message"] == "HTTP server responded with error code 402"


def test_a_charge_that_stays_unavailable_compensates_after_the_default_retries(
        client, endpoints):
    # Given a charge endpoint that answers 503 for good
    endpoints.always["charge"] = 503
    # When the purchase saga runs
    finished = purchase(client, endpoints)
    # Then the charge was tried 1 + 5 times (http.default_retry), then compensated
    assert endpoints.order() == ["reserve", "book_delivery"] + ["charge"] * 6 + [
        "cancel_delivery", "release"]
    assert finished.state == State.FAILED
    assert json.loads(finished.error.payload)["code"] == 503


def pay(client, endpoints, timeout_s: float = 1000) -> str:
    """Start the payment saga; its execution name."""
    created = run_saga(client, "payment_callback_saga", {
        "base_url": endpoints.base_url, "order": "o-9", "timeout_s": timeout_s})
    return created.name


def notify_when_charged(endpoints, status: str) -> threading.Thread:
    """A provider: once the charge request arrived, POST the notice to its callback URL."""
    def provider() -> None:
        [charge] = wait_until(lambda: endpoints.bodies("charge"))
        send_json(charge["callback_url"], {"status": status})

    thread = threading.Thread(target=provider, daemon=True)
    thread.start()
    return thread


def test_payment_notice_on_the_callback_completes_the_saga(client, endpoints):
    # Given a provider that notifies success on the callback it was given
    provider = notify_when_charged(endpoints, "succeeded")
    # When the payment saga runs
    finished = wait_finished(client, pay(client, endpoints))
    provider.join(timeout=5)
    # Then it succeeded without compensation
    assert finished.state == State.SUCCEEDED
    assert json.loads(finished.result) == {"reservation": "reserve-1", "payment": "succeeded"}
    assert endpoints.order() == ["reserve", "charge"]
    assert endpoints.bodies("charge")[0]["order"] == "o-9"


def test_a_declined_notice_releases_the_reservation(client, endpoints):
    provider = notify_when_charged(endpoints, "failed")
    finished = wait_finished(client, pay(client, endpoints))
    provider.join(timeout=5)
    assert endpoints.order() == ["reserve", "charge", "release"]
    assert endpoints.bodies("release") == [{"reservation": "reserve-1"}]
    assert finished.state == State.FAILED
    assert json.loads(finished.error.payload) == {
        "message": "payment declined", "tags": ["PaymentDeclined"]}


def test_no_notice_within_the_timeout_releases_the_reservation(client, endpoints):
    # Given a provider that never calls back, and a 30 s timeout (0.3 s at the time scale)
    # When the payment saga runs
    finished = wait_finished(client, pay(client, endpoints, timeout_s=30))
    # Then the timeout raised TimeoutError, the reservation was released, and the saga failed
    assert endpoints.order() == ["reserve", "charge", "release"]
    assert finished.state == State.FAILED
    assert json.loads(finished.error.payload)["tags"] == ["TimeoutError"]
    waited = (finished.end_time - finished.start_time).total_seconds()
    assert 30 * TIME_SCALE <= waited < 30 * TIME_SCALE + 2.0
