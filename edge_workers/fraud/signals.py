"""What the fraud worker remembers: one signal per observed event (an order, a decline, a
login…), keyed by the event's id so a replay is recorded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("order", "decline", "registration", "login", "login_failed", "password_reset",
         "review", "chat", "payment")
BY_FIELDS = ("account_id", "device_id", "ip", "subject")
VALUE_FIELDS = ("account_id", "device_id", "ip", "card", "country", "subject")
ANY_KIND = "*"  # count / distinct / signals over every kind


@dataclass(frozen=True)
class Signal:
    """One observed event, with the identifiers the sliding windows count by."""

    event_id: str
    kind: str
    at: datetime
    account_id: str | None = None
    device_id: str | None = None
    ip: str | None = None
    card: str | None = None
    country: str | None = None
    amount: int | None = None
    subject: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown signal kind {self.kind!r}")


def check_kind(kind: str) -> None:
    """A kind to query: one of KINDS or ANY_KIND; ValueError otherwise."""
    if kind != ANY_KIND and kind not in KINDS:
        raise ValueError(f"unknown signal kind {kind!r}")


def check_field(name: str, allowed: tuple[str, ...]) -> str:
    """A column name that may go into a query (never user input); ValueError otherwise."""
    if name not in allowed:
        raise ValueError(f"not a signal field: {name!r}")
    return name
