"""Routes for customers, PaymentMethods, SetupIntents, cash balances and intent updates."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from devstack.stripe.customers import Customers
from devstack.stripe.errors import no_such
from devstack.stripe.events import Events
from devstack.stripe.object_lists import list_object
from devstack.stripe.payment_intents import PaymentIntents
from devstack.stripe.payment_methods import PaymentMethods
from devstack.stripe.setup_intents import SetupIntents
from devstack.stripe.store import Store

Handler = Callable[[dict[str, Any], str], dict[str, Any]]
Route = tuple[str, re.Pattern[str], Handler]


class PaymentRoutes:
    """The payment-method part of the API; handlers run under store.lock like the others."""

    def __init__(self, store: Store, events: Events, intents: PaymentIntents,
                 base_url: str) -> None:
        self.store, self.intents = store, intents
        self.customers = Customers(store, events)
        self.methods = PaymentMethods(store, events)
        self.setups = SetupIntents(store, events, self.methods, base_url)

    def routes(self) -> list[Route]:
        """(method, path pattern, handler) for each endpoint this module serves."""
        cus, pm, seti, one = self.customers, self.methods, self.setups, r"/([^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("POST", r"/v1/payment_intents" + one, lambda p, i: self.intents.update(i, p)),
            ("POST", r"/v1/customers", lambda p, _: cus.create(p)),
            ("GET", r"/v1/customers", lambda p, _: self._all("customer", p, "/v1/customers")),
            ("GET", r"/v1/customers" + one, lambda p, i: cus.get(i)),
            ("POST", r"/v1/customers" + one, lambda p, i: cus.update(i, p)),
            ("GET", r"/v1/customers/([^/]+)/cash_balance", lambda p, i: cus.cash_balance(i)),
            ("GET", r"/v1/customers/([^/]+)/cash_balance_transactions",
             lambda p, i: cus.cash_balance_transactions(i, p)),
            ("GET", r"/v1/customers/([^/]+)/payment_methods",
             lambda p, i: pm.list(p, cus.get(i)["id"])),
            ("GET", r"/v1/customers/([^/]+/payment_methods/[^/]+)",
             lambda p, i: self._customer_method(i)),
            ("POST", r"/v1/test_helpers/customers/([^/]+)/fund_cash_balance",
             lambda p, i: self.intents.bank.fund(i, p)),
            ("POST", r"/v1/payment_methods", lambda p, _: pm.create(p)),
            ("GET", r"/v1/payment_methods", lambda p, _: pm.list(p)),
            ("POST", r"/v1/payment_methods/([^/]+)/attach", lambda p, i: pm.attach(i, p)),
            ("POST", r"/v1/payment_methods/([^/]+)/detach", lambda p, i: pm.detach(i, p)),
            ("POST", r"/v1/setup_intents", lambda p, _: seti.create(p)),
            ("GET", r"/v1/setup_intents", lambda p, _: self._setup_intents(p)),
            ("GET", r"/v1/setup_intents" + one, lambda p, i: seti.get(i)),
            ("POST", r"/v1/setup_intents/([^/]+)/confirm", lambda p, i: seti.confirm(i, p)),
            ("POST", r"/v1/setup_intents/([^/]+)/cancel", lambda p, i: seti.cancel(i, p)),
        ]
        return [(method, re.compile(path), handler) for method, path, handler in table]

    def _customer_method(self, path: str) -> dict[str, Any]:
        """GET /v1/customers/{customer}/payment_methods/{pm}: only one of its own."""
        customer_id, _, pm_id = path.split("/")
        self.customers.get(customer_id)
        pm = self.methods.get(pm_id)
        if pm["customer"] != customer_id:
            raise no_such("payment_method", pm_id)
        return pm

    def _all(self, kind: str, params: dict[str, Any], url: str) -> dict[str, Any]:
        return list_object(self.store.of_kind(kind), params, url, kind)

    def _setup_intents(self, params: dict[str, Any]) -> dict[str, Any]:
        items = [s for s in self.store.of_kind("setup_intent")
                 if params.get("customer") in (None, s["customer"])]
        return list_object(items, params, "/v1/setup_intents", "setup_intent")
