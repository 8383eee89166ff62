"""Idempotent requests: a saved response replayed, a key reused with other parameters refused."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import stripe

from devstack.stripe import LocalStripe


def _params(amount: int, pm: str = "pm_card_visa") -> dict:
    return {"amount": amount, "currency": "eur", "payment_method": pm, "confirm": True}


def test_same_key_same_params_replays_the_saved_response(client: stripe.StripeClient) -> None:
    key = f"order-{uuid.uuid4()}"

    first = client.v1.payment_intents.create(params=_params(1500),
                                             options={"idempotency_key": key})
    again = client.v1.payment_intents.create(params=_params(1500),
                                             options={"idempotency_key": key})

    assert again.id == first.id and again.to_dict() == first.to_dict()
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert client.v1.payment_intents.list(params={"limit": 1}).data[0].id == first.id


def test_a_decline_is_replayed_too(client: stripe.StripeClient) -> None:
    key = f"order-{uuid.uuid4()}"
    with pytest.raises(stripe.CardError) as first:
        client.v1.payment_intents.create(params=_params(1500, "pm_card_chargeDeclined"),
                                         options={"idempotency_key": key})

    with pytest.raises(stripe.CardError) as again:
        client.v1.payment_intents.create(params=_params(1500, "pm_card_chargeDeclined"),
                                         options={"idempotency_key": key})

    assert again.value.json_body == first.value.json_body
    assert again.value.headers["Idempotent-Replayed"] == "true"


def test_same_key_other_params_is_an_idempotency_error(client: stripe.StripeClient) -> None:
    key = f"order-{uuid.uuid4()}"
    client.v1.payment_intents.create(params=_params(1500), options={"idempotency_key": key})

    with pytest.raises(stripe.IdempotencyError) as raised:
        client.v1.payment_intents.create(params=_params(1501), options={"idempotency_key": key})

    assert (raised.value.http_status, raised.value.error.type) == (400, "idempotency_error")
    assert key in raised.value.user_message


def test_a_validation_failure_is_not_saved(client: stripe.StripeClient) -> None:
    key = f"order-{uuid.uuid4()}"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(params={"currency": "eur"},
                                         options={"idempotency_key": key})

    pi = client.v1.payment_intents.create(params=_params(800), options={"idempotency_key": key})

    assert (pi.status, "Idempotent-Replayed" in pi.last_response.headers) == ("succeeded", False)


def test_a_key_in_use_by_a_running_request_is_a_409(client: stripe.StripeClient,
                                                     twin: LocalStripe) -> None:
    key = f"order-{uuid.uuid4()}"
    results: list[stripe.PaymentIntent] = []
    with twin.api.store.lock:  # the first request reserves the key, then waits for the store
        first = threading.Thread(target=lambda: results.append(client.v1.payment_intents.create(
            params=_params(1500), options={"idempotency_key": key})))
        first.start()
        deadline = time.monotonic() + 5
        while key not in twin.api.idempotency.in_progress and time.monotonic() < deadline:
            time.sleep(0.01)

        with pytest.raises(stripe.APIError) as raised:  # the SDK's class for a 409
            client.v1.payment_intents.create(params=_params(1500),
                                             options={"idempotency_key": key})

    first.join(5)
    assert (raised.value.http_status, raised.value.error.type, raised.value.error.code) == (
        409, "idempotency_error", "idempotency_key_in_use")
    replay = client.v1.payment_intents.create(params=_params(1500),
                                              options={"idempotency_key": key})
    assert replay.id == results[0].id
