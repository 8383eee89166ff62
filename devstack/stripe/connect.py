"""Connect's routes (accounts, account links, transfers, balance, events) and Stripe-Account.

A request with `Stripe-Account: acct_…` acts on that connected account: the twin serves it
for GET /v1/balance and GET /v1/events[/{id}], and refuses it elsewhere rather than acting
on the platform by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from devstack.stripe.account_links import AccountLinks
from devstack.stripe.accounts import Accounts
from devstack.stripe.balances import balance
from devstack.stripe.errors import StripeError, invalid
from devstack.stripe.events import Events
from devstack.stripe.store import Store
from devstack.stripe.transfers import Transfers

Handler = Callable[[dict[str, Any], str], dict[str, Any]]
Route = tuple[str, re.Pattern[str], Handler]


class Connect:
    """The Connect part of the API; its handlers run under store.lock like the others."""

    def __init__(self, store: Store, events: Events, base_url: str) -> None:
        self.store, self.events = store, events
        self.accounts = Accounts(store, events)
        self.links = AccountLinks(store, self.accounts, base_url)
        self.transfers = Transfers(store, events)
        self.account: str | None = None  # the Stripe-Account of the request running now
        self._scoped: set[Handler] = set()

    def routes(self) -> list[Route]:
        """(method, path pattern, handler) for every Connect endpoint and the events."""
        acc, tr, one = self.accounts, self.transfers, r"/([^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("POST", r"/v1/accounts", lambda p, _: acc.create(p)),
            ("GET", r"/v1/accounts", lambda p, _: acc.list(p)),
            ("GET", r"/v1/accounts" + one, lambda p, i: acc.get(i)),
            ("POST", r"/v1/accounts" + one, lambda p, i: acc.update(i, p)),
            ("DELETE", r"/v1/accounts" + one, lambda p, i: acc.delete(i)),
            ("POST", r"/v1/account_links", lambda p, _: self.links.create(p)),
            ("POST", r"/v1/transfers", lambda p, _: tr.create(p)),
            ("GET", r"/v1/transfers", lambda p, _: tr.list(p)),
            ("GET", r"/v1/transfers" + one, lambda p, i: tr.get(i)),
            ("POST", r"/v1/transfers" + one, lambda p, i: tr.update(i, p)),
            ("POST", r"/v1/transfers/([^/]+)/reversals", lambda p, i: tr.reverse(i, p)),
            ("GET", r"/v1/transfers/([^/]+)/reversals", lambda p, i: tr.reversals(i, p)),
            ("GET", r"/v1/transfers/([^/]+/reversals/[^/]+)", lambda p, i: tr.reversal(i)),
            ("GET", r"/v1/balance", self._scope(lambda p, _: balance(self.store, self.account))),
            ("GET", r"/v1/events", self._scope(lambda p, _: self.events.list(p, self.account))),
            ("GET", r"/v1/events" + one,
             self._scope(lambda p, i: self.events.get(i, self.account))),
        ]
        return [(method, re.compile(path), handler) for method, path, handler in table]

    def on_behalf(self, handler: Handler, account_id: str | None) -> Handler:
        """The handler run for the Stripe-Account header's connected account, if one is given."""
        if not account_id:
            return handler

        def run(params: dict[str, Any], object_id: str) -> dict[str, Any]:
            if self.store.get(account_id, "account") is None:
                raise StripeError(403, "invalid_request_error",
                                  "The provided key does not have access to account "
                                  f"'{account_id}' (or that account does not exist). "
                                  "Application access may have been revoked.",
                                  code="account_invalid")
            if handler not in self._scoped:
                raise invalid("The twin serves requests with a Stripe-Account header only "
                              "for GET /v1/balance and GET /v1/events.")
            self.account = account_id
            try:
                return handler(params, object_id)
            finally:
                self.account = None

        return run

    def _scope(self, handler: Handler) -> Handler:
        self._scoped.add(handler)
        return handler
