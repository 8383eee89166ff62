"""Domain events: what happened, named in the past tense, routed to a Pub/Sub topic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# Event type -> topic. Topics and their subscriptions are declared in terraform/events.yaml;
# a unit test keeps the two in step.
TOPIC_OF = {
    "user.registered": "identity",
    "user.email_verified": "identity",
    "password_reset.requested": "identity",
    "account.blocked": "identity",
    "account.unblocked": "identity",
    "vendor.registered": "vendors",
    "vendor.verified": "vendors",
    "vendor.rejected": "vendors",
    "vendor.profile_updated": "vendors",
    "product.listed": "catalog",
    "product.updated": "catalog",
    "product.unlisted": "catalog",
    "product.image_indexed": "catalog",
    "product.image_rejected": "catalog",
}


@dataclass(frozen=True)
class Event:
    type: str
    payload: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self) -> None:
        if self.type not in TOPIC_OF:
            raise ValueError(f"unknown event type {self.type!r}")

    @property
    def topic(self) -> str:
        return TOPIC_OF[self.type]

    def to_message(self) -> dict[str, Any]:
        """The JSON body published to Pub/Sub (attributes carry `type` and `event_id`)."""
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "payload": self.payload,
        }
