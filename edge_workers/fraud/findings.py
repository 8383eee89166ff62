"""Findings of the asynchronous scorers: a score in [0, 1] and a human-readable reason each,
combined into one score (noisy-or) and, past a threshold, a fraud case draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.domain.fraud import CaseAction, CaseDraft, CaseKind

RULES_VERSION = "rules-2026-12-01"
CASE_AT = 0.5  # below this, a finding is history only: no case


@dataclass(frozen=True)
class Finding:
    """One thing that looks like fraud; `strong` when it is evidence on its own."""

    score: float
    reason: str
    strong: bool = False


def combined(findings: list[Finding]) -> float:
    """Noisy-or of the findings' scores: independent pieces of evidence add up below 1."""
    rest = 1.0
    for finding in findings:
        rest *= 1.0 - finding.score
    return round(1.0 - rest, 4)


def case_of(kind: CaseKind, subject_id: str, account_id: str | None, findings: list[Finding],
            action: CaseAction, evidence: dict[str, Any]) -> list[CaseDraft]:
    """A case draft when the findings add up to CASE_AT or more, else none."""
    score = combined(findings)
    if score < CASE_AT:
        return []
    return [CaseDraft(kind=kind, subject_id=subject_id, account_id=account_id, score=score,
                      reasons=tuple(f.reason for f in findings), model_version=RULES_VERSION,
                      action=action, evidence=evidence)]
