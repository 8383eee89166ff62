"""Fraud cases in PostgreSQL: one row per (kind, subject), resolved at most once."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import text

from common.adapters.unit_of_work import UnitOfWork
from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import CaseStatus, FraudCase

_COLUMNS = ("id, kind, subject_id, account_id, score, model_version, reasons, evidence, "
            "action, status, created_at, resolved_at, resolved_by, resolution_note")
# Orders a blocked buyer still has in play (payment pending, held for review, or paid with
# parts not shipped: a paid order's status stays `paid` until every live part shipped).
UNSETTLED = ("pending_payment", "pending_review", "paid")


def _case(row: sqlalchemy.Row) -> FraudCase:
    return FraudCase(
        id=str(row.id), kind=row.kind, subject_id=row.subject_id,
        account_id=str(row.account_id) if row.account_id else None, score=row.score,
        model_version=row.model_version, reasons=tuple(row.reasons), evidence=row.evidence,
        action=row.action, status=CaseStatus(row.status), created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=str(row.resolved_by) if row.resolved_by else None,
        resolution_note=row.resolution_note)


class PostgresFraudCases:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def open(self, draft: CaseDraft, now: datetime) -> str | None:
        """The new case's id; None when (kind, subject) has a case already."""
        opened = self._db.execute(text(
            "INSERT INTO fraud_cases (id, kind, subject_id, account_id, score, model_version, "
            "reasons, evidence, action, created_at) VALUES (:id, :kind, :subject, :account, "
            ":score, :version, CAST(:reasons AS jsonb), CAST(:evidence AS jsonb), :action, "
            ":now) ON CONFLICT (kind, subject_id) DO NOTHING RETURNING id"), {
                "id": str(uuid.uuid4()), "kind": draft.kind, "subject": draft.subject_id,
                "account": draft.account_id, "score": draft.score,
                "version": draft.model_version, "reasons": json.dumps(list(draft.reasons)),
                "evidence": json.dumps(draft.evidence, default=str), "action": draft.action,
                "now": now}).scalar_one_or_none()
        return str(opened) if opened is not None else None

    def get(self, case_id: str) -> FraudCase | None:
        row = self._db.execute(text(f"SELECT {_COLUMNS} FROM fraud_cases WHERE id = :id"),
                               {"id": case_id}).first()
        return _case(row) if row else None

    def by_subject(self, kind: str, subject_id: str) -> FraudCase | None:
        row = self._db.execute(text(
            f"SELECT {_COLUMNS} FROM fraud_cases WHERE kind = :kind AND subject_id = :subject"),
            {"kind": kind, "subject": subject_id}).first()
        return _case(row) if row else None

    def page(self, status: str | None, kind: str | None, after: tuple[datetime, str] | None,
             limit: int) -> list[FraudCase]:
        """Newest first (created_at, id), after the cursor, filtered on status and kind."""
        where: list[str] = ["true"]
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            where.append("status = :status")
            params["status"] = status
        if kind is not None:
            where.append("kind = :kind")
            params["kind"] = kind
        if after is not None:
            where.append("(created_at, id) < (:at, CAST(:after_id AS uuid))")
            params.update(at=after[0], after_id=after[1])
        rows = self._db.execute(text(
            f"SELECT {_COLUMNS} FROM fraud_cases WHERE {' AND '.join(where)} "
            "ORDER BY created_at DESC, id DESC LIMIT :limit"), params)
        return [_case(row) for row in rows]

    def resolve(self, case_id: str, status: CaseStatus, admin_id: str, note: str | None,
                now: datetime) -> bool:
        """open → status, conditionally: False when another resolution came first."""
        return self._db.execute(text(
            "UPDATE fraud_cases SET status = :status, resolved_at = :now, resolved_by = :admin, "
            "resolution_note = :note WHERE id = :id AND status = 'open'"), {
                "id": case_id, "status": status.value, "now": now, "admin": admin_id,
                "note": note}).rowcount == 1

    def unsettled_orders(self, buyer_id: str) -> list[tuple[str, str]]:
        """(order id, status) of the buyer's unpaid, held and paid orders, oldest first."""
        rows = self._db.execute(text(
            "SELECT id, status FROM orders WHERE buyer_id = :buyer "
            "AND status = ANY(CAST(:statuses AS text[])) ORDER BY created_at, id"),
            {"buyer": buyer_id, "statuses": list(UNSETTLED)})
        return [(str(row.id), row.status) for row in rows]


class FraudCasesUnitOfWork(UnitOfWork):
    """The unit of work with `fraud_cases` besides accounts, the inbox and the outbox."""

    def __enter__(self) -> "FraudCasesUnitOfWork":
        super().__enter__()
        self.fraud_cases = PostgresFraudCases(self.connection)
        return self
