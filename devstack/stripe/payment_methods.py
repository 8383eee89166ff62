"""PaymentMethods: test cards, PayPal and customer_balance; attached to at most one customer."""

from __future__ import annotations

from typing import Any

from devstack.stripe import cards
from devstack.stripe.errors import invalid, missing_param, no_such
from devstack.stripe.events import Events
from devstack.stripe.object_lists import list_object
from devstack.stripe.store import Store, new_id, now

TYPES = ("card", "paypal", "customer_balance")
REUSED = ("This PaymentMethod was previously used without being attached to a Customer or was "
          "detached from a Customer, and may not be used again.")


def resolve(store: Store, pm_id: str, param: str = "payment_method") -> dict[str, Any]:
    """The PaymentMethod for an id; a test token (pm_card_…) makes a new one, as Stripe does.

    Raises StripeError 400 for an unknown id or a detached PaymentMethod.
    """
    if pm_id in cards.CARDS:
        return cards.new_card(store, pm_id)
    pm = store.get(pm_id, "payment_method")
    if pm is None:
        raise no_such("PaymentMethod", pm_id, param=param)
    if store.state["test_behaviour"].get(f"detached:{pm_id}"):
        raise invalid(REUSED, param=param)
    return pm


def from_data(store: Store, data: Any, param: str = "payment_method_data") -> dict[str, Any]:
    """A new PaymentMethod from `payment_method_data` (or the body of POST /payment_methods)."""
    if not isinstance(data, dict) or not data.get("type"):
        raise missing_param(f"{param}[type]" if param else "type")
    kind = data["type"]
    if kind == "card":
        raise invalid("Sending card numbers is not supported by the twin; use a test "
                      "PaymentMethod such as pm_card_visa.", param=f"{param}[card]" if param
                      else "card")
    if kind not in TYPES:
        raise invalid(f"Invalid payment method type: {kind}; the twin supports "
                      f"{', '.join(TYPES)}.", param=f"{param}[type]" if param else "type")
    details = {"paypal": {"country": None, "payer_email": None, "payer_id": None},
               "customer_balance": {}}[kind]
    billing = {"address": None, "email": None, "name": None, "phone": None}
    billing.update(data.get("billing_details") or {})
    return store.put({
        "id": new_id("pm"), "object": "payment_method", "type": kind, "created": now(),
        "livemode": False, "customer": None, "metadata": dict(data.get("metadata") or {}),
        "allow_redisplay": "unspecified", "billing_details": billing, kind: details})


def check_owner(pm: dict[str, Any], customer: str | None) -> None:
    """Refuse a PaymentMethod saved to another Customer than the intent's (400)."""
    if pm["customer"] and pm["customer"] != customer:
        raise invalid(f"The `payment_method` parameter supplied {pm['id']} belongs to the "
                      f"Customer {pm['customer']}. Please include the Customer in the "
                      "`customer` parameter on the PaymentIntent.", param="payment_method")


class PaymentMethods:
    """POST/GET /v1/payment_methods, attach and detach; callers hold store.lock."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def get(self, pm_id: str) -> dict[str, Any]:
        """The PaymentMethod, or 404 resource_missing."""
        pm = self.store.get(pm_id, "payment_method")
        if pm is None:
            raise no_such("payment_method", pm_id)
        return pm

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_methods (type paypal or customer_balance)."""
        return from_data(self.store, params, param="")

    def list(self, params: dict[str, Any], customer: str | None = None) -> dict[str, Any]:
        """A customer's PaymentMethods, optionally of one `type`."""
        customer = customer or params.get("customer")
        items = [pm for pm in self.store.of_kind("payment_method")
                 if pm["customer"] == customer and params.get("type") in (None, pm["type"])]
        url = f"/v1/customers/{customer}/payment_methods" if customer else "/v1/payment_methods"
        return list_object(items, params, url, "payment_method")

    def attach(self, pm_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_methods/{id}/attach: save it to one Customer."""
        if not params.get("customer"):
            raise missing_param("customer")
        if self.store.get(params["customer"], "customer") is None:
            raise no_such("customer", params["customer"], param="customer")
        pm = resolve(self.store, pm_id, param="payment_method")
        return self.attach_to(pm, params["customer"])

    def attach_to(self, pm: dict[str, Any], customer: str) -> dict[str, Any]:
        """Attach (once; attaching to another Customer is refused) and emit the event."""
        if pm["customer"] == customer:
            return pm
        if pm["customer"]:
            raise invalid("The payment method you provided has already been attached to a "
                          "customer.", param="payment_method")
        pm["customer"] = customer
        self.events.emit("payment_method.attached", pm)
        return pm

    def detach(self, pm_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_methods/{id}/detach: it can no longer be used."""
        pm = self.get(pm_id)
        if not pm["customer"]:
            raise invalid("The payment method you provided is not attached to a customer so "
                          "detachment is impossible.",
                          param="payment_method")
        customer = self.store.get(pm["customer"], "customer")
        settings = customer["invoice_settings"] if customer else {}
        if settings.get("default_payment_method") == pm_id:
            settings["default_payment_method"] = None
        pm["customer"] = None
        self.store.state["test_behaviour"][f"detached:{pm_id}"] = True
        self.events.emit("payment_method.detached", pm)
        return pm
