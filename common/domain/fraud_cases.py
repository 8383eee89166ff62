"""Fraud cases: what the detector found and did, and what an admin's resolution changes.

A case is opened once per (kind, subject) with the action already taken or to be taken;
an admin confirms or clears it exactly once. What each resolution does is decided here,
from the case alone: clearing undoes the case's own action (unblock, restore the review,
approve the held order); confirming finishes it (reject the held order, block the account).
The resolution stays on the row: the labels for the next training
(docs/decisions/0027-fraud-cases.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.domain.errors import CaseAlreadyResolved, InvalidRequest
from common.domain.fraud import CASE_ACTIONS, CASE_KINDS, CaseDraft

# The system account behind automatic blocks: role admin, no Firebase user (cannot log in).
FRAUD_DETECTOR_ID = "00000000-0000-4000-8000-00000000fd01"
FRAUD_DETECTOR_EMAIL = "fraud-detector@bazaar.invalid"
FRAUD_DETECTOR_NAME = "Fraud detector"
BLOCK_REASON = "fraud"  # the reason of every block a case makes (admin_actions, accounts)
NOTE_MAX = 500


class CaseStatus(str, enum.Enum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CLEARED = "cleared"


class Effect(str, enum.Enum):
    """One thing a case makes happen beyond its own row; each is idempotent where applied."""

    BLOCK_ACCOUNT = "block_account"
    UNBLOCK_ACCOUNT = "unblock_account"
    HIDE_REVIEW = "hide_review"
    RESTORE_REVIEW = "restore_review"
    APPROVE_ORDER = "approve_order"
    REJECT_ORDER = "reject_order"


@dataclass(frozen=True)
class FraudCase:
    id: str
    kind: str
    subject_id: str
    account_id: str | None
    score: float
    model_version: str
    reasons: tuple[str, ...]
    evidence: dict[str, Any]
    action: str
    status: CaseStatus
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None


def check_draft(draft: CaseDraft) -> None:
    """A draft the table can hold: a known kind and action, a score in [0, 1], an account
    for the actions that act on one. ValueError otherwise (a bug of the caller)."""
    if draft.kind not in CASE_KINDS or draft.action not in CASE_ACTIONS:
        raise ValueError(f"unknown case kind or action: {draft.kind}/{draft.action}")
    if not 0.0 <= draft.score <= 1.0:
        raise ValueError("a case's score is in [0, 1]")
    if draft.action == "account_blocked" and draft.account_id is None:
        raise ValueError("an account_blocked case names its account")
    if draft.action == "review_hidden" and draft.kind != "review":
        raise ValueError("only a review case hides a review")


def effects_on_open(case: FraudCase) -> tuple[Effect, ...]:
    """What act_on_fraud_case carries out for a case still open (none once resolved)."""
    if case.status is not CaseStatus.OPEN:
        return ()
    if case.action == "account_blocked":
        return (Effect.BLOCK_ACCOUNT,)
    if case.action == "review_hidden":
        return (Effect.HIDE_REVIEW,)
    return ()


def check_resolvable(case: FraudCase, resolution: str) -> CaseStatus:
    """The status a resolution moves an open case to: CaseAlreadyResolved, InvalidRequest."""
    if resolution not in (CaseStatus.CONFIRMED.value, CaseStatus.CLEARED.value):
        raise InvalidRequest.at("resolution", "is confirmed or cleared")
    if case.status is not CaseStatus.OPEN:
        raise CaseAlreadyResolved()
    return CaseStatus(resolution)


def effects_of_resolution(case: FraudCase) -> tuple[Effect, ...]:
    """What a resolved case's resolution changes: clearing undoes its action, confirming
    rejects a held order and blocks the account."""
    if case.status is CaseStatus.CLEARED:
        return {
            "account_blocked": (Effect.UNBLOCK_ACCOUNT,),
            "review_hidden": (Effect.RESTORE_REVIEW,),
            "order_held": (Effect.APPROVE_ORDER,),
        }.get(case.action, ())
    if case.status is CaseStatus.CONFIRMED:
        held = (Effect.REJECT_ORDER,) if case.action == "order_held" else ()
        return held + ((Effect.BLOCK_ACCOUNT,) if case.account_id else ())
    return ()
