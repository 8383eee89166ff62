"""PostgresAnalyticsEvents: the central store of anonymized events (analytics_events)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.unit_of_work import UnitOfWork
from common.services.analytics_events import AnalyticsRow

_INSERT = text(
    "INSERT INTO analytics_events (id, pseudonym, zone, type, at_hour, country, device_class, "
    "product_id, category_id, properties, received_at) VALUES (:id, :pseudonym, :zone, :type, "
    ":at_hour, :country, :device_class, :product_id, :category_id, CAST(:properties AS jsonb), "
    ":received_at) ON CONFLICT (id) DO NOTHING")


class PostgresAnalyticsEvents:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def add(self, rows: Sequence[AnalyticsRow], received_at: datetime) -> int:
        """Insert rows not stored yet (one statement); how many were new."""
        if not rows:
            return 0
        params = [{"id": r.id, "pseudonym": r.pseudonym, "zone": r.zone, "type": r.type,
                   "at_hour": r.at_hour, "country": r.country, "device_class": r.device_class,
                   "product_id": r.product_id, "category_id": r.category_id,
                   "properties": json.dumps(r.properties), "received_at": received_at}
                  for r in rows]
        with translated_errors():
            result = self._db.execute(_INSERT, params)
        return result.rowcount


class AnalyticsUnitOfWork(UnitOfWork):
    """The common unit of work plus `analytics`."""

    def __enter__(self) -> "AnalyticsUnitOfWork":
        super().__enter__()
        self.analytics = PostgresAnalyticsEvents(self.connection)
        return self
