"""Events as the fraud worker's door hands them to the handlers, for the event tests."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from common.domain.security_signals import email_domain, email_shape

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
ANNA_SHAPE = dataclasses.asdict(email_shape("anna.schmidt@example.de"))


def event_id() -> str:
    return str(uuid.uuid4())


def registration(email: str = "anna.schmidt@example.de", *, device_id: str | None = None,
                 ip: str | None = "198.51.100.7", account_id: str | None = None
                 ) -> dict[str, Any]:
    return {"signal_id": event_id(), "account_id": account_id or str(uuid.uuid4()),
            "role": "customer", "email_domain": email_domain(email),
            "email_local_shape": dataclasses.asdict(email_shape(email)),
            "device_id": device_id, "ip": ip, "country": "DE"}


def login(account_id: str | None, outcome: str = "succeeded", *, country: str | None = "DE",
          ip: str | None = "198.51.100.7", device_id: str | None = None) -> dict[str, Any]:
    return {"signal_id": event_id(), "account_id": account_id, "outcome": outcome,
            "device_id": device_id, "ip": ip, "country": country}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
