"""Fraud decisions: what the order path asks the fraud worker, what it answers, and what
opens a fraud case. Plain values shared by the worker (edge_workers/fraud), the order path
(common/services/ordering.py) and the cases (common/services/fraud_cases.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Action = Literal["allow", "review", "block"]
CaseKind = Literal["order", "registration", "login", "review", "chat", "payment"]
CaseAction = Literal["none", "order_held", "order_rejected", "account_blocked", "review_hidden"]
OnFailure = Literal["allow", "review"]

ACTIONS: tuple[str, ...] = get_args(Action)
CASE_KINDS: tuple[str, ...] = get_args(CaseKind)
CASE_ACTIONS: tuple[str, ...] = get_args(CaseAction)
UNAVAILABLE_REASON = "fraud check unavailable"
FALLBACK_MODEL_VERSION = "none"


@dataclass(frozen=True)
class FraudDecision:
    """The worker's answer on one subject; screened=False when it was not asked in budget."""

    action: Action
    score: float
    reasons: tuple[str, ...]
    model_version: str
    block_account: bool = False
    screened: bool = True

    def to_wire(self) -> dict[str, Any]:
        """The worker's JSON answer (and what fraud_decisions stores)."""
        return {
            "action": self.action,
            "score": self.score,
            "reasons": list(self.reasons),
            "model_version": self.model_version,
            "block_account": self.block_account,
        }


@dataclass(frozen=True)
class OrderScreening:
    """What place_order sends to POST {FRAUD_URL}/v1/decisions:order, before reserving."""

    subject: str
    account_id: str
    device_id: str | None
    ip: str | None
    client_country: str | None
    shipping_country: str
    amount: int
    currency: str
    method: str
    card: str | None = None


@dataclass(frozen=True)
class CaseDraft:
    """What opens a fraud case (one per kind and subject)."""

    kind: CaseKind
    subject_id: str
    account_id: str | None
    score: float
    reasons: tuple[str, ...]
    model_version: str
    action: CaseAction
    evidence: dict[str, Any] = field(default_factory=dict)


def fallback_decision(on_failure: OnFailure) -> FraudDecision:
    """The decision used when the worker did not answer in budget: allow (screen later) or hold."""
    return FraudDecision(
        action=on_failure,
        score=0.0,
        reasons=(UNAVAILABLE_REASON,),
        model_version=FALLBACK_MODEL_VERSION,
        block_account=False,
        screened=False,
    )


def decision_from_wire(body: Any) -> FraudDecision:
    """Parse the worker's answer strictly; raises ValueError on anything else."""
    if not isinstance(body, dict):
        raise ValueError("decision is not an object")
    action, score = body.get("action"), body.get("score")
    reasons, version = body.get("reasons"), body.get("model_version")
    block_account = body.get("block_account", False)
    if action not in ACTIONS:
        raise ValueError("unknown action")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise ValueError("score is not a number in [0, 1]")
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ValueError("reasons is not a list of strings")
    if not isinstance(version, str) or not version:
        raise ValueError("model_version is missing")
    if not isinstance(block_account, bool):
        raise ValueError("block_account is not a boolean")
    return FraudDecision(action, float(score), tuple(reasons), version, block_account)
