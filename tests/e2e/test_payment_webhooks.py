"""The webhook door on the running stack: the Stripe twin's signed deliveries of a real
payment are recorded once in the provider inbox; forged, stale and repeated ones are not
recorded again (POST /v1/payments/webhooks/stripe)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
import sqlalchemy
import stripe
from sqlalchemy import event, text

from common import bootstrap

PATH = "/v1/payments/webhooks/stripe"


@pytest.fixture(scope="module")
def twin(stack):
    return stack.services["stripe"]


def _rows(where: str, **params: str) -> list[dict]:
    with bootstrap.engine().connect() as db:
        return [dict(row) for row in db.execute(text(
            "SELECT event_id, type, provider_type, payment_ref, order_id, amount, "
            "amount_received, payload ->> 'id' AS payload_id, processed_at "
            f"FROM provider_events WHERE {where} ORDER BY occurred_at, event_id"),
            params).mappings()]


def _event(secret_type: str = "payment_intent.succeeded") -> bytes:
    return json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event",
                       "type": secret_type, "created": int(time.time()),
                       "data": {"object": {"id": f"pi_{uuid.uuid4().hex}",
                                           "object": "payment_intent", "amount": 700,
                                           "currency": "eur", "metadata": {}}}}).encode()


def _post(base_url: str, body: bytes, header: str) -> requests.Response:
    return requests.post(base_url + PATH, data=body, timeout=10, headers={
        "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header})


def test_a_payments_events_are_delivered_signed_and_recorded_once(twin):
    # Given a card payment made with the SDK on the stack's twin
    client = stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url})
    order_id = str(uuid.uuid4())
    intent = client.v1.payment_intents.create(params={
        "amount": 4200, "currency": "eur", "payment_method": "pm_card_visa", "confirm": True,
        "payment_method_types": ["card"], "transfer_group": order_id,
        "metadata": {"order_id": order_id}})

    # When the twin has delivered its webhooks to the door
    twin.wait_until_idle()

    # Then each of its events is one inbox row, unprocessed, with our order id
    rows = _rows("payment_ref = :ref", ref=intent.id)
    assert "payment.succeeded" in [row["type"] for row in rows]
    assert len({row["event_id"] for row in rows}) == len(rows)
    succeeded = next(row for row in rows if row["type"] == "payment.succeeded")
    assert (succeeded["order_id"], succeeded["amount"], succeeded["amount_received"]) == (
        order_id, 4200, 4200)
    assert succeeded["payload_id"] == succeeded["event_id"]
    assert succeeded["processed_at"] is None


@pytest.mark.parametrize("sign", [
    lambda body, secret: stripe.WebhookSignature.generate_signature_header(
        body.decode(), "whsec_forged"),
    lambda body, secret: stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, int(time.time()) - 600),
    lambda body, secret: "",
], ids=["forged", "stale", "unsigned"])
def test_an_unsigned_or_stale_delivery_is_400_and_nothing_is_recorded(base_url, twin, sign):
    # Given an event not signed now with the endpoint's secret
    body = _event()

    # When it is posted to the door
    response = _post(base_url, body, sign(body, twin.webhook_secret))

    # Then it is refused in the problem format, and not recorded
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_webhook_signature"
    assert _rows("event_id = :id", id=json.loads(body)["id"]) == []


def test_the_same_event_delivered_twice_is_one_row_and_two_200s(base_url, twin):
    # Given one signed event
    body = _event("payment_intent.partially_funded")
    header = stripe.WebhookSignature.generate_signature_header(body.decode(),
                                                               twin.webhook_secret)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        if "provider_events" in statement:
            statements.append(statement)

    # When it is delivered twice (at least once, as Stripe does)
    event.listen(sqlalchemy.Engine, "before_cursor_execute", count)
    try:
        first, second = _post(base_url, body, header), _post(base_url, body, header)
    finally:
        event.remove(sqlalchemy.Engine, "before_cursor_execute", count)

    # Then both are answered 200, the second as a duplicate, with one statement each
    event_id = json.loads(body)["id"]
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == {"event_id": event_id, "duplicate": False}
    assert second.json() == {"event_id": event_id, "duplicate": True}
    assert [row["type"] for row in _rows("event_id = :id", id=event_id)] == [
        "payment.partially_funded"]
    assert len(statements) == 2
