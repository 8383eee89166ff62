"""Account Links: single-use, short-lived URLs to the twin's stand-in for hosted onboarding.

Stripe's docs: `refresh_url` is where the user goes "if the account link is expired, has been
previously-visited, or is otherwise invalid"; `return_url` "upon leaving or completing the
linked flow" (so arriving there does not mean onboarding is done: check the account).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from devstack.stripe.accounts import Accounts
from devstack.stripe.errors import invalid, missing_param, no_such
from devstack.stripe.store import Store, now

LINK_TTL_S = 300  # "expires_at" five minutes after creation, as Stripe's links do
TYPES = ("account_onboarding", "account_update")


@dataclass(frozen=True)
class Visit:
    """Where a request to a link's URL leads: the page to show, or a redirect."""

    redirect: str | None = None  # 303 Location, else show the page for `account`
    account: str | None = None


class AccountLinks:
    """POST /v1/account_links and what the link's page does; callers hold store.lock."""

    def __init__(self, store: Store, accounts: Accounts, base_url: str) -> None:
        self.store, self.accounts, self.base_url = store, accounts, base_url

    @property
    def links(self) -> dict[str, dict[str, Any]]:
        """Links by token: account, urls, expires_at and state (new, visited, used)."""
        return self.store.state.setdefault("account_links", {})

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """An account_onboarding link for an Express account (account_update: refused)."""
        for name in ("account", "type"):
            if not params.get(name):
                raise missing_param(name)
        account = self.store.get(params["account"], "account")
        if account is None:
            raise no_such("account", params["account"], param="account")
        if params["type"] not in TYPES:
            raise invalid(f"Invalid type: must be one of {', '.join(TYPES)}", param="type")
        if params["type"] == "account_update":
            raise invalid("You can't create Account Links of type account_update for accounts "
                          "that have access to a Stripe-hosted Dashboard.", param="type")
        for name in ("refresh_url", "return_url"):
            if not params.get(name):
                raise missing_param(name)
        token = secrets.token_urlsafe(12)
        created = now()
        self.links[token] = {"account": account["id"], "refresh_url": params["refresh_url"],
                             "return_url": params["return_url"],
                             "expires_at": created + LINK_TTL_S, "state": "new"}
        return {"object": "account_link", "created": created,
                "expires_at": created + LINK_TTL_S,
                "url": f"{self.base_url}/setup/e/{account['id']}/{token}"}

    def visit(self, account_id: str, token: str, action: str | None) -> Visit | None:
        """GET (action None) shows the page once; POST complete or leave ends the flow.

        None when no such link exists (the page answers 404).
        """
        link = self.links.get(token)
        if link is None or link["account"] != account_id:
            return None
        spent = link["state"] == "used" or (action is None and link["state"] == "visited")
        if spent or time.time() >= link["expires_at"] or account_id not in self.store.objects:
            return Visit(redirect=link["refresh_url"])
        if action is None:
            link["state"] = "visited"
            return Visit(account=account_id)
        link["state"] = "used"
        if action == "complete":
            self.accounts.complete_onboarding(account_id)
        return Visit(redirect=link["return_url"])
