"""The fraud worker's door: it starts only with its model, and refuses bad decision requests
with problem+json before touching the database (no database here)."""

from __future__ import annotations

import base64
import json

import pytest

from common.settings import SettingsError, from_environment
from edge_workers.fraud.committed_models import newest_model_path
from edge_workers.fraud.main import create_app, meta_uri
from tests.unit.fraud.worker_given import committed_scorer

NO_DATABASE = "postgresql+pg8000://nobody@127.0.0.1:1/none"


def app_with(**env: str):
    settings = from_environment({"DATABASE_URL": NO_DATABASE, **env})
    return create_app(settings).test_client()


@pytest.fixture(scope="module")
def client():
    return app_with(FRAUD_MODEL_URI=str(newest_model_path()))


def valid_body(**overrides: object) -> dict:
    return {"subject": "order-1", "account_id": "account-1", "device_id": None, "ip": None,
            "client_country": "US", "shipping_country": "DE", "amount": 4000,
            "currency": "EUR", "method": "card", "card": None, **overrides}


def test_the_worker_refuses_to_start_without_its_model():
    with pytest.raises(SettingsError, match="FRAUD_MODEL_URI"):
        app_with()


def test_healthz_names_the_loaded_model(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json) == (
        200, {"status": "ok", "model_version": committed_scorer().version})


@pytest.mark.parametrize("meta_of,expected", [
    ("gs://bazaar-fraud-models/fraud/1.2/model.onnx", "gs://bazaar-fraud-models/fraud/1.2/meta.json"),
    ("/repo/model/fraud-1.2.onnx", "/repo/model/fraud-1.2.json"),
], ids=["bucket-layout", "committed-file"])
def test_the_meta_json_lies_beside_the_model(meta_of, expected):
    assert meta_uri(meta_of) == expected


def test_a_request_over_4_kb_is_413(client):
    response = client.post("/v1/decisions:order", data=json.dumps(valid_body(card="x" * 5000)),
                           content_type="application/json")

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "payload_too_large"


@pytest.mark.parametrize("body,field", [
    (["not", "an", "object"], "body"),
    (valid_body(amount=0), "amount"),
    (valid_body(amount="4000"), "amount"),
    (valid_body(amount=True), "amount"),
    (valid_body(method="cash"), "method"),
    (valid_body(shipping_country="de"), "shipping_country"),
    (valid_body(client_country="USA"), "client_country"),
    (valid_body(subject=""), "subject"),
    (valid_body(account_id=None), "account_id"),
    ({**valid_body(), "email": "someone@example.com"}, "email"),
], ids=["array", "zero-amount", "string-amount", "bool-amount", "unknown-method",
        "lower-country", "long-region", "empty-subject", "no-account", "unknown-field"])
def test_a_malformed_decision_request_is_422_naming_the_field(client, body, field):
    response = client.post("/v1/decisions:order", data=json.dumps(body),
                           content_type="application/json")

    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    problem = response.json
    assert (problem["status"], problem["code"], problem["title"]) == (
        422, "invalid_request", "Invalid request")
    assert problem["detail"].startswith(f"{field}:")
    assert problem["type"] == "https://bazaar.example/problems/invalid_request"


def test_a_body_that_is_not_json_is_422(client):
    response = client.post("/v1/decisions:order", data=b"{nope",
                           content_type="application/json")

    assert (response.status_code, response.json["detail"]) == (422, "not JSON")


@pytest.mark.parametrize("envelope", [
    {"message": {"data": "!!not base64!!"}},
    {"message": {"data": "e30="}},  # {} : no id, type or payload
    {"nothing": True},
    None,
], ids=["bad-base64", "empty-body", "no-message", "not-json"])
def test_a_malformed_push_is_400(client, envelope):
    response = client.post("/_events/fraud-orders", data=json.dumps(envelope),
                           content_type="application/json")

    assert (response.status_code, response.json["code"]) == (400, "malformed_event")


def test_an_event_of_a_type_the_worker_does_not_know_is_acknowledged(client):
    # Given a well-formed envelope of a type no handler takes
    body = {"id": "event-unknown-1", "type": "order.teleported", "occurred_at":
            "2026-12-01T12:00:00+00:00", "payload": {"order_id": "x"}}
    envelope = {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode(),
                            "attributes": {"type": "order.teleported"}, "messageId": "1"}}

    # When it is pushed, Then it is acked without touching the (absent) database
    response = client.post("/_events/fraud-orders", json=envelope)
    assert response.status_code == 204
