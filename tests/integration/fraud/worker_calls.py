"""Helpers of the fraud worker's integration tests: its URL, decisions and pushes over HTTP,
and what it wrote, read as the database owner."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone

import requests
import sqlalchemy
from sqlalchemy import text


def worker_url(stack) -> str:  # noqa: ANN001
    return stack.env["FRAUD_URL"]


def owner_engine(stack) -> sqlalchemy.Engine:  # noqa: ANN001
    return sqlalchemy.create_engine(stack.env["DATABASE_URL"])


def screening_body(**overrides: object) -> dict:
    """An ordinary small card order of a fresh subject, account and device."""
    return {"subject": str(uuid.uuid4()), "account_id": str(uuid.uuid4()),
            "device_id": "device-" + uuid.uuid4().hex[:12], "ip": None, "client_country": None,
            "shipping_country": "DE", "amount": 4000, "currency": "EUR", "method": "card",
            "card": "pm_card_visa", **overrides}


def decide(stack, body: object) -> requests.Response:  # noqa: ANN001
    return requests.post(f"{worker_url(stack)}/v1/decisions:order", json=body, timeout=10)


def push(stack, event_type: str, payload: dict, event_id: str | None = None,  # noqa: ANN001
         subscription: str = "fraud-orders") -> requests.Response:
    """POST a Pub/Sub push envelope of an outbox event to the worker's event door."""
    body = {"id": event_id or str(uuid.uuid4()), "type": event_type,
            "occurred_at": datetime.now(timezone.utc).isoformat(), "payload": payload}
    envelope = {"message": {"data": base64.b64encode(json.dumps(body).encode()).decode(),
                            "attributes": {"type": event_type}, "messageId": uuid.uuid4().hex},
                "subscription": f"projects/demo-bazaar/subscriptions/{subscription}"}
    return requests.post(f"{worker_url(stack)}/_events/{subscription}", json=envelope,
                         timeout=10)


def signals_of(engine: sqlalchemy.Engine, kind: str, subject: str) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT event_id, kind, account_id, device_id, card, subject FROM fraud_signals "
            "WHERE kind = :kind AND subject = :subject ORDER BY id"),
            {"kind": kind, "subject": subject})
        return [row._asdict() for row in rows]
