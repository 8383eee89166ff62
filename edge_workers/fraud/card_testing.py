"""Card testing: many small authorisations (≤ €2) or many declined payments from one device
or account within an hour, read from the `order` and `decline` signals of the order path."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.domain.fraud import CaseDraft
from edge_workers.fraud.findings import Finding, case_of
from edge_workers.fraud.history import History

WINDOW = timedelta(hours=1)
SMALL_AMOUNT = 200  # minor units: €2
SMALL_AT = 5
DECLINES_AT = 5


def card_testing_findings(history: History, by: str, value: str | None,
                          now: datetime) -> list[Finding]:
    """Small authorisations and declines by the device or account (`by`) in the last hour."""
    if not value:
        return []
    found = []
    who = "device" if by == "device_id" else "account"
    small = sum(1 for s in history.signals("order", now - WINDOW, by=by, value=value)
                if s.amount is not None and s.amount <= SMALL_AMOUNT)
    if small >= SMALL_AT:
        found.append(Finding(0.8, f"{small} payments of at most €2 on this {who} in 1 h",
                             strong=True))
    declines = history.count("decline", by, value, now - WINDOW)
    if declines >= DECLINES_AT:
        found.append(Finding(0.8, f"{declines} declined payments on this {who} in 1 h",
                             strong=True))
    return found


def card_testing_cases(history: History, subject_id: str, account_id: str | None,
                       device_id: str | None, now: datetime) -> list[CaseDraft]:
    """A `payment` case blocking the account when either pattern shows, else none.

    Meant for the order handlers, after they recorded a decline or an order signal."""
    findings = (card_testing_findings(history, "device_id", device_id, now)
                + card_testing_findings(history, "account_id", account_id, now))
    evidence = {"device_id": device_id, "reasons": [f.reason for f in findings]}
    return case_of("payment", subject_id, account_id, findings, "account_blocked", evidence)
