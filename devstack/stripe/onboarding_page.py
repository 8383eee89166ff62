"""The Account Link's page, standing for Stripe's hosted Express onboarding.

GET /setup/e/{acct}/{token} shows it (once); POST …/complete submits the onboarding form
(capabilities active, account.updated) and POST …/leave abandons it; both answer 303 to the
link's return_url. A used, revisited or expired link answers 303 to its refresh_url.
"""

from __future__ import annotations

import html
import re
from typing import Any

PATH = re.compile(r"/setup/e/(acct_[A-Za-z0-9]+)/([A-Za-z0-9_-]+)(?:/(complete|leave))?")


def answer(api: Any, method: str, match: re.Match[str]) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for one request to an onboarding link's URL."""
    account_id, token, action = match.groups()
    if method == "POST" and action is None:
        return _text(405, "Use the page's buttons.")
    if method == "GET" and action is not None:
        return _text(405, "Submit the page's form.")
    with api.store.lock:
        visit = api.connect.links.visit(account_id, token, action)
        api.store.save()
    if visit is None:
        return _text(404, "Unknown onboarding link.")
    if visit.redirect is not None:
        return 303, {"Location": visit.redirect, "Content-Length": "0"}, b""
    base = html.escape(match.group(0))
    forms = "".join(
        f'<form method="post" action="{base}/{act}"><button>{label}</button></form>'
        for act, label in (("complete", "Complete onboarding"), ("leave", "Leave")))
    body = (f"<!doctype html><title>Express onboarding test page</title>"
            f"<h1>Onboard {html.escape(account_id)}</h1>{forms}").encode()
    return 200, {"Content-Type": "text/html; charset=utf-8",
                 "Content-Length": str(len(body))}, body


def _text(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = message.encode()
    return status, {"Content-Type": "text/plain; charset=utf-8",
                    "Content-Length": str(len(body))}, body
