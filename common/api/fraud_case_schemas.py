"""Pydantic models of the admins' fraud cases: the list and a resolution
(shared/api.md, "Admin"; docs/decisions/0027-fraud-cases.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from common.api.fields import PlainText
from common.api.schemas import Out, PageToken, Strict
from common.domain.fraud import CaseAction, CaseKind
from common.domain.fraud_cases import NOTE_MAX, FraudCase

CaseStatusName = Literal["open", "confirmed", "cleared"]


class FraudCaseListQuery(Strict):
    status: CaseStatusName | None = Field(None, description="Only cases in this status.")
    kind: CaseKind | None = Field(None, description="Only cases of this kind.")
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: PageToken | None = None


class FraudCaseOut(Out):
    id: str
    kind: CaseKind
    subject_id: str
    account_id: str | None
    score: float
    reasons: list[str]
    model_version: str
    action: CaseAction
    evidence: dict[str, Any]
    status: CaseStatusName
    created_at: datetime
    resolved_at: datetime | None
    resolution_note: str | None


class FraudCasePage(Out):
    items: list[FraudCaseOut]
    next_page_token: str | None


class ResolveFraudCase(Strict):
    resolution: Literal["confirmed", "cleared"] = Field(
        description="confirmed: it was fraud (a held order is rejected, the account blocked); "
                    "cleared: it was not (the case's block, hidden review or held order is "
                    "undone). Kept as the label for the next training.")
    note: Annotated[str, PlainText(1, NOTE_MAX, multiline=True)] | None = None


def fraud_case(case: FraudCase) -> FraudCaseOut:
    return FraudCaseOut(
        id=case.id, kind=case.kind, subject_id=case.subject_id,  # type: ignore[arg-type]
        account_id=case.account_id, score=case.score, reasons=list(case.reasons),
        model_version=case.model_version, action=case.action,  # type: ignore[arg-type]
        evidence=case.evidence, status=case.status.value, created_at=case.created_at,
        resolved_at=case.resolved_at, resolution_note=case.resolution_note)
