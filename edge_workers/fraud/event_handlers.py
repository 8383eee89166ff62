"""The asynchronous scorers: one handler per event type the fraud worker is pushed.

Each handler records the event as a Signal (the history every window counts; a replayed
event id records nothing and finds nothing), scores it with the rules of its checks module,
and returns the fraud cases to open (the event door opens them, with FraudCaseOpened, in
the transaction of the signal). Findings name what was seen, never an email or a text.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any, Callable

from common.domain.fraud import CaseAction, CaseDraft
from edge_workers.fraud import login_checks, payment_diversion, text_similarity
from edge_workers.fraud.findings import Finding, case_of, combined
from edge_workers.fraud.history import History
from edge_workers.fraud.registration_checks import burst_findings, email_findings
from edge_workers.fraud.review_checks import review_findings
from edge_workers.fraud.signals import Signal

Handler = Callable[[str, dict, History, datetime], list[CaseDraft]]
BLOCK_AT = 0.8  # with two strong findings or more: block the account
HIDE_AT = 0.7  # a review this likely fake is hidden
REPEAT_WINDOW = timedelta(days=30)
DIVERSION = frozenset({"iban", "off_platform_phrase"})  # both in one message: "pay me here"


def usable_ip(value: Any) -> str | None:
    """A client address worth counting: not loopback or unspecified (the local stack's own)."""
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return None
    return None if address.is_loopback or address.is_unspecified else str(address)


def _blocking(findings: list[Finding]) -> bool:
    return sum(f.strong for f in findings) >= 2 and combined(findings) >= BLOCK_AT


def _required(payload: dict, *keys: str) -> None:
    missing = [key for key in keys if key not in payload]
    if missing:
        raise ValueError(f"payload lacks {', '.join(missing)}")


def on_registration(event_id: str, payload: dict, history: History,
                    now: datetime) -> list[CaseDraft]:
    """signal.registration: disposable or generated-looking emails, device/address bursts."""
    _required(payload, "account_id", "email_domain", "email_local_shape")
    ip, device = usable_ip(payload.get("ip")), payload.get("device_id")
    signal = Signal(event_id, "registration", now, account_id=payload["account_id"],
                    device_id=device, ip=ip, country=payload.get("country"),
                    subject=payload["account_id"],
                    detail={"email_domain": payload["email_domain"],
                            "email_local_shape": payload["email_local_shape"],
                            "role": payload.get("role")})
    if not history.record(signal):
        return []
    findings = (email_findings(payload["email_domain"], payload["email_local_shape"])
                + burst_findings(history, device, ip, now))
    action: CaseAction = "account_blocked" if _blocking(findings) else "none"
    return case_of("registration", payload["account_id"], payload["account_id"], findings,
                   action, {"email_domain": payload["email_domain"], "device_id": device,
                            "ip": ip, "country": payload.get("country")})


def on_login(event_id: str, payload: dict, history: History, now: datetime) -> list[CaseDraft]:
    """signal.login: failed-login bursts; impossible travel on a successful one."""
    _required(payload, "outcome")
    failed = payload["outcome"] != "succeeded"
    account, ip = payload.get("account_id"), usable_ip(payload.get("ip"))
    signal = Signal(event_id, "login_failed" if failed else "login", now, account_id=account,
                    device_id=payload.get("device_id"), ip=ip, country=payload.get("country"))
    if not history.record(signal):
        return []
    if failed:
        checks = [login_checks.failed_burst(history, "account_id", account, now),
                  login_checks.failed_burst(history, "ip", ip, now)]
    else:
        checks = [login_checks.impossible_travel(history, signal),
                  login_checks.failed_before(history, account, now) if account else None]
    findings = [finding for finding in checks if finding is not None]
    action: CaseAction = "account_blocked" if not failed and _blocking(findings) else "none"
    return case_of("login", event_id, account, findings, action,
                   {"outcome": payload["outcome"], "device_id": signal.device_id, "ip": ip,
                    "country": signal.country})


def on_password_reset(event_id: str, payload: dict, history: History,
                      now: datetime) -> list[CaseDraft]:
    """password_reset.requested: history only (the order screening's password_reset_24h)."""
    _required(payload, "account_id")
    history.record(Signal(event_id, "password_reset", now, account_id=payload["account_id"]))
    return []


def _on_review(event_id: str, payload: dict, history: History, now: datetime, *,
               edited: bool) -> list[CaseDraft]:
    """Fake-review patterns; hidden when the score says fake. An edit is no new review of
    the product (no subject: bursts count posts), but its new text is compared."""
    _required(payload, "review_id", "product_id", "vendor_id", "author_id", "rating", "text")
    signal = Signal(event_id, "review", now, account_id=payload["author_id"],
                    subject=None if edited else payload["product_id"],
                    detail={"review_id": payload["review_id"],
                            "product_id": payload["product_id"], "rating": payload["rating"],
                            "minhash": text_similarity.signature(payload["text"])})
    if not history.record(signal):
        return []
    findings = review_findings(history, signal, payload["vendor_id"], now)
    action: CaseAction = "review_hidden" if combined(findings) >= HIDE_AT else "none"
    return case_of("review", payload["review_id"], payload["author_id"], findings, action,
                   {"product_id": payload["product_id"], "rating": payload["rating"]})


def on_review_posted(event_id: str, payload: dict, history: History,
                     now: datetime) -> list[CaseDraft]:
    """review.posted."""
    return _on_review(event_id, payload, history, now, edited=False)


def on_review_edited(event_id: str, payload: dict, history: History,
                     now: datetime) -> list[CaseDraft]:
    """review.edited."""
    return _on_review(event_id, payload, history, now, edited=True)


def on_chat_message(event_id: str, payload: dict, history: History,
                    now: datetime) -> list[CaseDraft]:
    """chat.message_posted: payment diversion; an IBAN + "pay me directly" twice blocks."""
    _required(payload, "message_id", "sender_id", "room_id", "text")
    found = payment_diversion.matches(payload["text"])
    kinds = {match.kind for match in found}
    signal = Signal(event_id, "chat", now, account_id=payload["sender_id"],
                    subject=payload["room_id"],
                    detail={"message_id": payload["message_id"], "matches": sorted(kinds)})
    if not history.record(signal):
        return []
    certain = DIVERSION <= kinds and _asked_before(history, signal, now)
    findings = _diversion_findings(kinds) + (
        [Finding(0.9, "the same sender asked for it before", strong=True)] if certain else [])
    return case_of("chat", payload["message_id"], payload["sender_id"], findings,
                   "account_blocked" if certain else "none",
                   {"room_id": payload["room_id"],
                    "matches": [{"kind": m.kind, "excerpt": m.excerpt} for m in found]})


def _diversion_findings(kinds: set[str]) -> list[Finding]:
    findings = []
    if DIVERSION <= kinds:
        findings.append(Finding(0.6, "an IBAN with a request to pay outside the platform",
                                strong=True))
    elif "iban" in kinds:
        findings.append(Finding(0.5, "an IBAN in a chat message", strong=True))
    elif "off_platform_phrase" in kinds:
        findings.append(Finding(0.4, "a request to pay outside the platform"))
    if "payment_link" in kinds:
        findings.append(Finding(0.5, "a link to an off-platform payment service"))
    return findings


def _asked_before(history: History, signal: Signal, now: datetime) -> bool:
    """The sender sent an IBAN with a request to pay outside before (REPEAT_WINDOW)."""
    earlier = history.signals("chat", now - REPEAT_WINDOW, by="account_id",
                              value=signal.account_id)
    return any(s.event_id != signal.event_id and DIVERSION <= set(s.detail.get("matches", ()))
               for s in earlier)


HANDLERS: dict[str, Handler] = {
    "signal.registration": on_registration,
    "signal.login": on_login,
    "password_reset.requested": on_password_reset,
    "review.posted": on_review_posted,
    "review.edited": on_review_edited,
    "chat.message_posted": on_chat_message,
}
