"""Customers: create, retrieve, update, default PaymentMethod and their EUR cash balance."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe.bank_transfers import cash_balance
from devstack.stripe.errors import invalid, no_such
from devstack.stripe.events import Events
from devstack.stripe.object_lists import list_object
from devstack.stripe.store import Store, new_id, now

FIELDS = ("email", "name", "description", "phone")


def metadata_update(current: dict[str, str], given: Any) -> dict[str, str]:
    """Merge metadata as Stripe does: keys are set, an empty value deletes its key."""
    if given in (None, ""):
        return {} if given == "" else current
    if not isinstance(given, dict):
        raise invalid("Invalid object", param="metadata")
    merged = dict(current)
    for key, value in given.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


class Customers:
    """/v1/customers and its cash balance; callers hold store.lock and save after."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def get(self, customer_id: str, param: str | None = None) -> dict[str, Any]:
        """The customer, or 404 (400 when the id came as parameter `param`)."""
        customer = self.store.get(customer_id, "customer")
        if customer is None:
            raise no_such("customer", customer_id, param=param)
        return customer

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/customers."""
        customer = self.store.put({
            "id": new_id("cus"), "object": "customer", "address": None, "balance": 0,
            "created": now(), "currency": None, "default_source": None, "delinquent": False,
            "description": None, "email": None, "name": None, "phone": None,
            "invoice_prefix": secrets.token_hex(4).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": {}, "preferred_locales": [], "shipping": None,
            "tax_exempt": "none"})
        self._apply(customer, params)
        self.events.emit("customer.created", customer)
        return customer

    def update(self, customer_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/customers/{id}: fields, metadata merge, default PaymentMethod."""
        customer = self.get(customer_id)
        self._apply(customer, params)
        self.events.emit("customer.updated", customer)
        return customer

    def _apply(self, customer: dict[str, Any], params: dict[str, Any]) -> None:
        for key in FIELDS:
            if key in params:
                customer[key] = params[key] or None
        customer["metadata"] = metadata_update(customer["metadata"], params.get("metadata"))
        default = (params.get("invoice_settings") or {}).get("default_payment_method")
        if default is not None:
            pm = self.store.get(default, "payment_method")
            if default and (pm is None or pm["customer"] != customer["id"]):
                raise invalid(f"The customer does not have a payment method with the ID "
                              f"{default}. The payment method must be attached to the "
                              "customer.", param="invoice_settings[default_payment_method]")
            customer["invoice_settings"]["default_payment_method"] = default or None

    def cash_balance(self, customer_id: str) -> dict[str, Any]:
        """GET /v1/customers/{id}/cash_balance: what the customer sent and is not yet applied."""
        self.get(customer_id)
        return cash_balance(self.store, customer_id)

    def cash_balance_transactions(self, customer_id: str,
                                  params: dict[str, Any]) -> dict[str, Any]:
        """GET /v1/customers/{id}/cash_balance_transactions, newest first."""
        self.get(customer_id)
        items = [t for t in self.store.of_kind("customer_cash_balance_transaction")
                 if t["customer"] == customer_id]
        return list_object(items, params, f"/v1/customers/{customer_id}/cash_balance_transactions",
                           "customer_cash_balance_transaction")
