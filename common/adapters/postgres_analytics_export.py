"""PostgresExportRecords: the export's sources (analytics_order_facts, analytics_events) and
the accumulated release (analytics_releases, analytics_release_rows; migration 0021)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.unit_of_work import UnitOfWork
from common.domain.k_anonymity import POLICIES, Candidate
from common.ports.analytics_export import InteractionFact, OrderFact, Release

# One release planned at a time per dataset; the lock ends with the transaction.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('bazaar.analytics_export.' || :dataset))")
_ORDER_FACTS = text("""
SELECT f.order_id::text AS order_id, f.buyer_id::text AS buyer_id, f.country, f.total_amount,
       f.created_at, f.category_id
FROM analytics_order_facts f
WHERE f.created_at >= :since AND f.created_at < :until
  AND NOT EXISTS (SELECT 1 FROM analytics_release_rows r WHERE r.dataset = 'orders'
                  AND r.source_id = f.order_id::text || ':' || f.category_id)
ORDER BY f.created_at, f.order_id, f.category_id""")
_INTERACTION_FACTS = text("""
SELECT e.id::text AS id, e.pseudonym, e.country, e.device_class, e.at_hour, e.type,
       COALESCE(e.category_id, p.category_id) AS category_id
FROM analytics_events e
LEFT JOIN products p ON p.id = e.product_id  -- interactions name the product, not its category
WHERE e.at_hour >= :since AND e.at_hour < :until
  AND NOT EXISTS (SELECT 1 FROM analytics_release_rows r WHERE r.dataset = 'interactions'
                  AND r.source_id = e.id::text)
ORDER BY e.at_hour, e.id""")
_ACCUMULATED = text("""
SELECT source_id, person, record FROM analytics_release_rows WHERE dataset = :dataset""")
_ADD_RELEASE = text("""
INSERT INTO analytics_releases (id, dataset, object_path, row_count, waiting, k, l, created_at)
VALUES (:id, :dataset, :object_path, :rows, :waiting, :k, :l, :created_at)""")
_ADD_ROW = text("""
INSERT INTO analytics_release_rows (dataset, source_id, release_id, person, record)
VALUES (:dataset, :source_id, :release_id, :person, CAST(:record AS jsonb))""")
_UNWRITTEN = text("""
SELECT id, dataset, object_path, row_count, waiting, k, l, created_at FROM analytics_releases
WHERE dataset = :dataset AND written_at IS NULL ORDER BY created_at, id""")
_RELEASE_RECORDS = text("SELECT record FROM analytics_release_rows WHERE release_id = :id")
_MARK_WRITTEN = text("""
UPDATE analytics_releases SET written_at = :at WHERE id = :id AND written_at IS NULL""")


class PostgresExportRecords:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def lock(self, dataset: str) -> None:
        with translated_errors():
            self._db.execute(_LOCK, {"dataset": dataset})

    def order_facts(self, since: datetime, until: datetime) -> list[OrderFact]:
        with translated_errors():
            rows = self._db.execute(_ORDER_FACTS, {"since": since, "until": until}).all()
        return [OrderFact(r.order_id, r.buyer_id, r.country, r.total_amount, r.created_at,
                          r.category_id) for r in rows]

    def interaction_facts(self, since: datetime, until: datetime) -> list[InteractionFact]:
        with translated_errors():
            rows = self._db.execute(_INTERACTION_FACTS, {"since": since, "until": until}).all()
        return [InteractionFact(r.id, r.pseudonym, r.country, r.device_class, r.at_hour, r.type,
                                r.category_id) for r in rows]

    def accumulated(self, dataset: str) -> list[Candidate]:
        with translated_errors():
            rows = self._db.execute(_ACCUMULATED, {"dataset": dataset}).all()
        return [Candidate(r.source_id, r.person, dict(r.record)) for r in rows]

    def record(self, release: Release, rows: Sequence[Candidate]) -> None:
        policy = POLICIES[release.dataset]
        with translated_errors():
            self._db.execute(_ADD_RELEASE, {
                "id": release.id, "dataset": release.dataset,
                "object_path": release.object_path, "rows": release.rows,
                "waiting": release.waiting, "k": release.k, "l": release.l,
                "created_at": release.created_at})
            self._db.execute(_ADD_ROW, [
                {"dataset": release.dataset, "source_id": row.source_id,
                 "release_id": release.id, "person": row.person,
                 "record": json.dumps(row.exported(policy))} for row in rows])

    def unwritten(self, dataset: str) -> list[tuple[Release, list[dict[str, str]]]]:
        with translated_errors():
            releases = self._db.execute(_UNWRITTEN, {"dataset": dataset}).all()
            return [(Release(r.id, r.dataset, r.object_path, r.row_count, r.waiting, r.k, r.l,
                             r.created_at),
                     [dict(row.record) for row in self._db.execute(
                         _RELEASE_RECORDS, {"id": r.id})]) for r in releases]

    def mark_written(self, release_id: str, at: datetime) -> None:
        with translated_errors():
            self._db.execute(_MARK_WRITTEN, {"id": release_id, "at": at})


class AnalyticsExportUnitOfWork(UnitOfWork):
    """The common unit of work plus `exports` (role bazaar_analytics_export, migration 0021)."""

    def __enter__(self) -> "AnalyticsExportUnitOfWork":
        super().__enter__()
        self.exports = PostgresExportRecords(self.connection)
        return self
