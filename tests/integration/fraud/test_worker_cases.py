"""An order that went on unscreened (the worker did not answer in budget) is screened from
its order.placed; a suspicious one opens a case with fraud.case_opened in the outbox, once."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests.integration.fraud.worker_calls import owner_engine, push
from tests.integration.order_rows import add_card_payment


@pytest.fixture(scope="module")
def engine(stack):
    engine = owner_engine(stack)
    yield engine
    engine.dispose()


def placed_order(engine, amount: int) -> tuple[str, str]:  # noqa: ANN001
    """A fresh customer and an unpaid order of theirs shipped to DE, as place_order writes."""
    buyer, order = str(uuid.uuid4()), str(uuid.uuid4())
    address = {"name": "Carla Customer", "line1": "1 Test Street", "postal_code": "10115",
               "city": "Berlin", "country": "DE"}
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (id, email, name, role, state, email_verified) VALUES "
            "(:id, :email, 'Test customer', 'customer', 'active', true)"),
            {"id": buyer, "email": f"fraud-{buyer[:12]}@example.com"})
        connection.execute(text(
            "INSERT INTO orders (id, buyer_id, status, total_amount, payment_method, "
            "shipping_address, idempotency_key, request_hash, reservation_expires_at) VALUES "
            "(:id, :buyer, 'pending_payment', :amount, 'card', CAST(:address AS jsonb), :key, "
            "'hash', :expires)"),
            {"id": order, "buyer": buyer, "amount": amount, "address": json.dumps(address),
             "key": uuid.uuid4().hex, "expires": datetime.now(timezone.utc) + timedelta(hours=1)})
        add_card_payment(connection, order, amount, paid=False)
    return buyer, order


def cases_and_events(engine, order_id: str) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    with engine.connect() as connection:
        cases = [row._asdict() for row in connection.execute(text(
            "SELECT id, kind, account_id, action, status, model_version, reasons, evidence "
            "FROM fraud_cases WHERE subject_id = :order"), {"order": order_id})]
        events = [row.payload for row in connection.execute(text(
            "SELECT payload FROM outbox_events WHERE type = 'fraud.case_opened' "
            "AND payload ->> 'subject_id' = :order"), {"order": order_id})]
    return cases, events


def test_a_deferred_high_first_order_from_abroad_opens_one_case_with_its_event(stack, engine):
    # Given an order of EUR 600 placed while the worker did not answer, from a client in the US
    buyer, order = placed_order(engine, 60_000)
    payload = {"order_id": order, "buyer_id": buyer, "total": 60_000, "screening": "deferred",
               "client_country": "US"}
    event_id = str(uuid.uuid4())

    # When its order.placed reaches the worker, twice
    answers = [push(stack, "order.placed", payload, event_id).status_code for _ in range(2)]

    # Then one case is open on it (the order went on, so the case holds nothing)
    assert answers == [204, 204]
    cases, events = cases_and_events(engine, order)
    [case] = cases
    assert (case["kind"], str(case["account_id"]), case["action"], case["status"]) == (
        "order", buyer, "none", "open")
    assert case["reasons"][0] == "first order of EUR 600 shipped outside the client's country"
    assert (case["evidence"]["screening"], case["evidence"]["country_mismatch"]) == (
        "deferred", True)
    # And fraud.case_opened is in the outbox with the case
    assert events == [{"case_id": str(case["id"]), "kind": "order", "subject_id": order,
                       "account_id": buyer, "action": "none", "score": events[0]["score"]}]


def test_a_deferred_ordinary_order_opens_no_case(stack, engine):
    buyer, order = placed_order(engine, 2500)

    answer = push(stack, "order.placed", {"order_id": order, "buyer_id": buyer, "total": 2500,
                                          "screening": "deferred"})

    assert answer.status_code == 204
    assert cases_and_events(engine, order) == ([], [])
