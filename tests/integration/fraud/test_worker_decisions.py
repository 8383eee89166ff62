"""The session stack's fraud worker over HTTP: decisions with score, reasons and model
version, bad requests refused, a subject decided once, an event applied once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import text

from edge_workers.fraud.rules import VELOCITY_ORDERS_1H
from tests.integration.fraud.worker_calls import (
    decide,
    owner_engine,
    push,
    screening_body,
    signals_of,
    worker_url,
)


@pytest.fixture(scope="module")
def engine(stack):
    engine = owner_engine(stack)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def model_version(stack) -> str:
    response = requests.get(f"{worker_url(stack)}/healthz", timeout=10)
    assert response.status_code == 200
    return response.json()["model_version"]


def test_an_ordinary_order_is_allowed_with_its_score_and_model_version(stack, model_version):
    # When the worker is asked about an ordinary small order
    response = decide(stack, screening_body())

    # Then it answers allow, with a score, no reasons, and the loaded model's version
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"action", "score", "reasons", "model_version", "block_account"}
    assert (answer["action"], answer["reasons"], answer["block_account"]) == ("allow", [], False)
    assert answer["model_version"] == model_version
    assert 0.0 <= answer["score"] < 1.0


def test_a_first_high_order_from_abroad_is_review_with_reasons(stack):
    response = decide(stack, screening_body(amount=50_000, client_country="US"))

    answer = response.json()
    assert (response.status_code, answer["action"], answer["block_account"]) == (
        200, "review", False)
    assert answer["reasons"][0] == "first order of EUR 500 shipped outside the client's country"


def test_a_request_over_4_kb_is_413_and_a_bad_field_422(stack):
    too_large = decide(stack, screening_body(card="x" * 4200))
    bad_field = decide(stack, screening_body(amount=-1))

    assert (too_large.status_code, too_large.headers["Content-Type"]) == (
        413, "application/problem+json")
    assert (bad_field.status_code, bad_field.json()["code"]) == (422, "invalid_request")
    assert bad_field.json()["detail"].startswith("amount:")


def test_the_same_subject_again_gets_the_same_decision_and_one_signal(stack, engine):
    # Given an order decided once
    body = screening_body()
    first = decide(stack, body).json()

    # When the same subject is asked again with other facts (a retry, a replay)
    again = decide(stack, {**body, "amount": 90_000, "client_country": "US"}).json()

    # Then the answer is the stored one, and the history holds one order signal for it
    assert again == first
    assert [s["event_id"] for s in signals_of(engine, "order", body["subject"])] == [
        f"order:{body['subject']}"]


def test_an_order_payment_failed_pushed_twice_is_one_decline_on_the_orders_device(stack,
                                                                                   engine):
    # Given an order screened from a device with a card
    body = screening_body(card="pm_card_chargeDeclined")
    assert decide(stack, body).status_code == 200
    event_id = str(uuid.uuid4())
    payload = {"order_id": body["subject"], "buyer_id": body["account_id"],
               "reason": "card_declined"}

    # When its order.payment_failed is pushed twice (a redelivery)
    answers = [push(stack, "order.payment_failed", payload, event_id).status_code
               for _ in range(2)]

    # Then both are acknowledged and one decline is recorded, on the order's device and card
    assert answers == [204, 204]
    assert signals_of(engine, "decline", body["subject"]) == [{
        "event_id": event_id, "kind": "decline", "account_id": body["account_id"],
        "device_id": body["device_id"], "card": "pm_card_chargeDeclined",
        "subject": body["subject"]}]


def test_five_declines_on_a_device_block_its_next_order_and_the_account(stack, engine):
    # Given five orders of a customer from one device whose payments were declined
    device, buyer = "device-ct-" + uuid.uuid4().hex[:10], str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (id, email, name, role, state, email_verified) VALUES "
            "(:id, :email, 'Test customer', 'customer', 'active', true)"),
            {"id": buyer, "email": f"ct-{buyer[:12]}@example.com"})
    for _ in range(5):
        body = screening_body(device_id=device, card="pm_card_chargeDeclined", account_id=buyer)
        assert decide(stack, body).json()["action"] == "allow"
        assert push(stack, "order.payment_failed", {
            "order_id": body["subject"], "buyer_id": body["account_id"],
            "reason": "card_declined"}).status_code == 204

    # When a sixth order comes from that device
    answer = decide(stack, screening_body(device_id=device)).json()

    # Then it is blocked, with the account, and the reason names the declines; and the fifth
    # decline itself opened a card-testing case that blocks the customer
    assert (answer["action"], answer["block_account"]) == ("block", True)
    assert "5 declined payments on this device in 24 h" in answer["reasons"]
    with engine.connect() as connection:
        cases = connection.execute(text(
            "SELECT kind, action FROM fraud_cases WHERE account_id = :buyer"),
            {"buyer": buyer}).all()
    assert [tuple(case) for case in cases] == [("payment", "account_blocked")]


def test_a_burst_of_concurrent_orders_from_one_device_is_not_all_allowed(stack):
    # Given sixteen small orders from one new account and device, sent all at once (the
    # way a script tries to outrun velocity checks)
    device, account = "device-burst-" + uuid.uuid4().hex[:10], str(uuid.uuid4())
    bodies = [screening_body(device_id=device, account_id=account, amount=1500)
              for _ in range(16)]

    # When the worker decides them concurrently
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        answers = [r.json() for r in pool.map(lambda body: decide(stack, body), bodies)]

    # Then the hourly velocity limit holds as if they had come one by one: no more than
    # VELOCITY_ORDERS_1H are allowed, every later one is held or refused
    actions = [answer["action"] for answer in answers]
    assert actions.count("allow") <= VELOCITY_ORDERS_1H, actions


def test_an_event_of_an_unknown_type_is_acknowledged_and_a_malformed_one_refused(stack):
    unknown = push(stack, "order.teleported", {"order_id": str(uuid.uuid4())})
    malformed = requests.post(f"{worker_url(stack)}/_events/fraud-orders",
                              json={"message": {"data": "%%%"}}, timeout=10)

    assert (unknown.status_code, malformed.status_code) == (204, 400)
    assert malformed.json()["code"] == "malformed_event"
