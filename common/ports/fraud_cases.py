"""Fraud cases as the use cases see them (common/adapters/postgres_fraud_cases.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from common.domain.fraud import CaseDraft
from common.domain.fraud_cases import CaseStatus, FraudCase
from common.ports.unit_of_work import UnitOfWork

Cursor = tuple[datetime, str]  # (created_at, id) of the last case of the page before


class FraudCases(Protocol):
    def open(self, draft: CaseDraft, now: datetime) -> str | None:
        """The new case's id; None when (kind, subject) has a case already."""
        ...

    def get(self, case_id: str) -> FraudCase | None: ...

    def by_subject(self, kind: str, subject_id: str) -> FraudCase | None: ...

    def page(self, status: str | None, kind: str | None, after: Cursor | None,
             limit: int) -> list[FraudCase]:
        """Newest first, after the cursor."""
        ...

    def resolve(self, case_id: str, status: CaseStatus, admin_id: str, note: str | None,
                now: datetime) -> bool:
        """open → status; False when the case was not open any more."""
        ...

    def unsettled_orders(self, buyer_id: str) -> list[tuple[str, str]]:
        """(order id, status) of the buyer's orders not yet settled: unpaid, held or paid."""
        ...


class FraudCasesTransaction(UnitOfWork, Protocol):
    def __enter__(self) -> "FraudCasesTransaction": ...

    @property
    def fraud_cases(self) -> FraudCases: ...


FraudCasesUnitOfWorkFactory = Callable[[], FraudCasesTransaction]
