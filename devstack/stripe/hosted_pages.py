"""The twin's hosted pages, standing for what a person does elsewhere in test mode.

The one place pages are dispatched: server.py answers a path matching a pattern in PAGES with
its handler's (status, headers, body). 3-D Secure (PaymentIntents and SetupIntents) and PayPal
pages: GET shows Stripe's two test actions, POST …/authorize or …/fail acts and answers 303 to
the return_url. The bank transfer page shows the instructions. Connect's onboarding page lives
in onboarding_page.py.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from devstack.stripe import onboarding_page

Answer = tuple[int, dict[str, str], bytes]
PageHandler = Callable[[Any, str, re.Match[str], dict[str, str]], Answer]
OK_STATUSES = ("succeeded", "requires_capture", "processing")


def _answer(status: int, content_type: str, body: bytes,
            headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": content_type, "Content-Length": str(len(body)),
                    **(headers or {})}, body


def _not_found(message: str) -> Answer:
    body = json.dumps({"error": {"type": "invalid_request_error", "message": message}})
    return _answer(404, "application/json", body.encode())


def _see_other(location: str) -> Answer:
    return 303, {"Location": location, "Content-Length": "0"}, b""


def _redirect_back(kind: str, obj: dict[str, Any], return_url: str) -> Answer:
    """303 to the return_url with the object's id, client secret and redirect_status."""
    status = "succeeded" if obj["status"] in OK_STATUSES else "failed"
    query = urllib.parse.urlencode({kind: obj["id"], f"{kind}_client_secret": obj["client_secret"],
                                    "redirect_status": status})
    return _see_other(return_url + ("&" if "?" in return_url else "?") + query)


def test_page(kind: str, title: str, labels: tuple[str, str]) -> PageHandler:
    """A page with Stripe's two test actions for a PaymentIntent or a SetupIntent."""

    def answer(api: Any, method: str, match: re.Match[str], query: dict[str, str]) -> Answer:
        obj_id, action = match.group(1), match.group(2)
        with api.store.lock:
            obj = api.store.get(obj_id, kind)
            if obj is None or query.get("client_secret") != obj["client_secret"]:
                return _not_found("Unknown test page.")
            if method == "GET" or action is None:
                return _page(title, obj_id, match.group(0), obj["client_secret"], labels)
            finish = api.intents.authenticate if kind == "payment_intent" else \
                api.payments.setups.authenticate
            obj, return_url = finish(obj_id, action == "authorize")
            api.store.save()
        if not return_url:
            return _answer(200, "application/json", json.dumps(obj).encode())
        return _redirect_back(kind, obj, return_url)

    return answer


def _page(title: str, obj_id: str, path: str, secret: str, labels: tuple[str, str]) -> Answer:
    query = html.escape(urllib.parse.urlencode({"client_secret": secret}))
    forms = "".join(
        f'<form method="post" action="{html.escape(path)}/{act}?{query}">'
        f"<button>{html.escape(label)}</button></form>"
        for act, label in zip(("authorize", "fail"), labels, strict=True))
    body = (f"<!doctype html><title>{html.escape(title)}</title>"
            f"<h1>Test payment {html.escape(obj_id)}</h1>{forms}")
    return _answer(200, "text/html; charset=utf-8", body.encode())


def bank_transfer_instructions(api: Any, method: str, match: re.Match[str],
                               query: dict[str, str]) -> Answer:
    """GET: the hosted_instructions_url page (IBAN, BIC, reference, amount remaining)."""
    with api.store.lock:
        pi = api.store.get(match.group(1), "payment_intent")
        if pi is None or query.get("client_secret") != pi["client_secret"] or method != "GET":
            return _not_found("Unknown instructions page.")
        action = pi["next_action"] or {}
        if action.get("type") != "display_bank_transfer_instructions":
            return _answer(200, "text/html; charset=utf-8",
                           f"<!doctype html><p>Nothing to pay: {pi['status']}.".encode())
        shown = action["display_bank_transfer_instructions"]
    account = shown["financial_addresses"][0]["iban"]
    rows = "".join(f"<dt>{name}</dt><dd>{html.escape(str(value))}</dd>" for name, value in (
        ("Amount", f"{shown['amount_remaining']} {shown['currency']} (minor units)"),
        ("IBAN", account["iban"]), ("BIC", account["bic"]),
        ("Account holder", account["account_holder_name"]), ("Reference", shown["reference"])))
    body = f"<!doctype html><title>Bank transfer instructions</title><dl>{rows}</dl>"
    return _answer(200, "text/html; charset=utf-8", body.encode())


def _onboarding(api: Any, method: str, match: re.Match[str], query: dict[str, str]) -> Answer:
    return onboarding_page.answer(api, method, match)


_ACTIONS = r"/([^/]+)(?:/(authorize|fail))?"
PAGES: list[tuple[re.Pattern[str], PageHandler]] = [
    (re.compile(r"/redirect/authenticate" + _ACTIONS), test_page(
        "payment_intent", "3D Secure test page",
        ("Complete authentication", "Fail authentication"))),
    (re.compile(r"/redirect/setup" + _ACTIONS), test_page(
        "setup_intent", "3D Secure test page",
        ("Complete authentication", "Fail authentication"))),
    (re.compile(r"/redirect/paypal" + _ACTIONS), test_page(
        "payment_intent", "PayPal test payment page",
        ("Authorize test payment", "Fail test payment"))),
    (re.compile(r"/redirect/bank_transfer_instructions/([^/]+)"), bank_transfer_instructions),
    (onboarding_page.PATH, _onboarding),
]


def find(path: str) -> tuple[PageHandler, re.Match[str]] | None:
    """The page handler for a path, with its match, or None for an API path."""
    for pattern, handler in PAGES:
        match = pattern.fullmatch(path)
        if match:
            return handler, match
    return None
