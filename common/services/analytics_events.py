"""Use case of the central analytics store: an anonymized event (or a batch of interactions)
becomes rows of analytics_events, exactly once per event id (the consumer's inbox, and row
ids derived from the event id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol, Sequence

from common.domain.events import AnalyticsEventReceived, InteractionsReceived

_ROW_NAMESPACE = uuid.UUID("c8a1f0d2-6b1e-4c9a-8d3f-2e7b5a4c1f90")
LEGACY_ZONE = "eu"  # batches keyed before zones were keyed with the eu key


@dataclass(frozen=True)
class AnalyticsRow:
    """One row of analytics_events: pseudonymous, hourly, coarse."""

    id: str
    pseudonym: str
    zone: str
    type: str
    at_hour: datetime
    country: str | None
    device_class: str | None
    product_id: str | None
    category_id: str | None
    properties: dict[str, Any]


class AnalyticsStore(Protocol):
    def add(self, rows: Sequence[AnalyticsRow], received_at: datetime) -> int:
        """Insert rows not stored yet; how many were new."""


def rows_of(event: AnalyticsEventReceived | InteractionsReceived) -> list[AnalyticsRow]:
    """The rows an anonymized event becomes."""
    if isinstance(event, AnalyticsEventReceived):
        properties = dict(event.properties)
        category = properties.pop("category_id", None)
        return [AnalyticsRow(event.id, event.pseudonym, event.zone, event.event_type,
                             datetime.fromisoformat(event.at_hour), event.country,
                             event.device_class, event.product_id, category, properties)]
    return [AnalyticsRow(
        str(uuid.uuid5(_ROW_NAMESPACE, f"{event.id}:{index}")), event.pseudonym,
        event.zone or LEGACY_ZONE, interaction.type, _hour(interaction.at), None, None,
        interaction.product_id, None,
        {k: v for k, v in (("query", interaction.query), ("dwell_ms", interaction.dwell_ms))
         if v is not None})
        for index, interaction in enumerate(event.events)]


def store_analytics_events(event: AnalyticsEventReceived | InteractionsReceived, *,
                           store: AnalyticsStore, now: datetime) -> int:
    """Store an event's rows; how many were new (0 for a redelivery)."""
    return store.add(rows_of(event), now)


def _hour(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(timezone.utc).replace(
        minute=0, second=0, microsecond=0)
