"""PaymentIntents for cards, PayPal and customer_balance: create, update, confirm, capture."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe.bank_transfers import BankTransfers, parse_options
from devstack.stripe.card_payments import CardPayments
from devstack.stripe.customers import metadata_update
from devstack.stripe.errors import invalid, missing_param, no_such, unexpected_state
from devstack.stripe.events import Events
from devstack.stripe.forms import parse_amount, parse_bool
from devstack.stripe.outcomes import Outcomes
from devstack.stripe.payment_methods import TYPES, check_owner, from_data, resolve
from devstack.stripe.paypal import PayPalPayments, require_return_url
from devstack.stripe.store import Store, new_id, now

__all__ = ["PaymentIntents", "parse_amount"]

CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation",
              "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
UPDATABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
OFF_SESSION = ("true", "one_off", "recurring")


class PaymentIntents:
    """The state machine; callers hold store.lock and save afterwards."""

    def __init__(self, store: Store, events: Events, base_url: str) -> None:
        self.store, self.events = store, events
        self.outcomes = Outcomes(store, events)
        self.cards = CardPayments(store, self.outcomes, base_url)
        self.paypal = PayPalPayments(self.outcomes, base_url)
        self.bank = BankTransfers(store, events, self.outcomes, base_url)

    def get(self, pi_id: str) -> dict[str, Any]:
        """The PaymentIntent, or 404 resource_missing."""
        pi = self.store.get(pi_id, "payment_intent")
        if pi is None:
            raise no_such("payment_intent", pi_id)
        return pi

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents (with confirm=true: create and confirm in one call)."""
        amount = parse_amount(params.get("amount"), "amount")
        currency = _currency(params)
        capture = params.get("capture_method", "automatic")
        if capture not in ("automatic", "automatic_async", "manual"):
            raise invalid(f"Invalid capture_method: {capture}", param="capture_method")
        for param in ("return_url", "off_session"):
            if params.get(param) and not parse_bool(params.get("confirm")):
                raise invalid(f"You can only pass in {param} when confirm is true.", param=param)
        types = _types(params.get("payment_method_types"))
        customer = self._customer(params.get("customer"))
        options = self._options(types, params.get("payment_method_options"), currency,
                                customer, capture)
        pm = self._method(params, types, customer)
        if pm is not None and parse_bool(params.get("confirm")):
            _check_confirmable(pm, params, options, currency)
        pi_id = new_id("pi")
        pi = self.store.put({
            "id": pi_id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "capture_method": capture, "canceled_at": None,
            "cancellation_reason": None, "client_secret": f"{pi_id}_secret_{secrets.token_hex(8)}",
            "confirmation_method": "automatic", "created": now(), "currency": currency,
            "customer": customer, "description": params.get("description") or None,
            "last_payment_error": None, "latest_charge": None, "livemode": False,
            "metadata": metadata_update({}, params.get("metadata")), "next_action": None,
            "payment_method": pm["id"] if pm else None, "payment_method_options": options,
            "payment_method_types": types,
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "transfer_group": params.get("transfer_group") or None})
        self.events.emit("payment_intent.created", pi)
        if parse_bool(params.get("confirm")):
            return self._confirm(pi, pm, params)
        return pi

    def update(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}: metadata and description always, the rest before
        confirmation succeeds (as Stripe's "You may only update the amount…" says)."""
        pi = self.get(pi_id)
        for field in ("amount", "currency", "payment_method", "payment_method_types",
                      "payment_method_options", "customer", "transfer_group"):
            if field in params and pi["status"] not in UPDATABLE:
                raise unexpected_state(
                    f"This PaymentIntent's {field} could not be updated because it has a "
                    f"status of {pi['status']}. You may only update the {field} of a "
                    f"PaymentIntent with one of the following statuses: "
                    f"{', '.join(UPDATABLE)}.", pi, "payment_intent")
        if params.get("customer") and pi["customer"] not in (None, params["customer"]):
            raise invalid("You cannot modify `customer` on a PaymentIntent once it already has "
                          "been set.", param="customer")
        if params.get("transfer_group") and pi["transfer_group"] not in (
                None, params["transfer_group"]):
            raise invalid("You can only provide transfer_group if it hasn't been set.",
                          param="transfer_group")
        changes = self._changes(pi, params)
        pm = self._method(params, changes.get("payment_method_types", pi["payment_method_types"]),
                          changes.get("customer", pi["customer"]))
        if pm is not None:
            changes["payment_method"] = pm["id"]
        if pi["status"] == "requires_action" and {"amount", "payment_method"} & set(changes):
            changes.update(status="requires_confirmation", next_action=None)
        if pi["status"] == "requires_payment_method" and changes.get("payment_method"):
            changes["status"] = "requires_confirmation"
        pi.update(changes)
        return pi

    def _changes(self, pi: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if "amount" in params:
            changes["amount"] = parse_amount(params["amount"], "amount")
        if "currency" in params:
            changes["currency"] = _currency(params)
        if "payment_method_types" in params:
            changes["payment_method_types"] = _types(params["payment_method_types"])
        if params.get("customer"):
            changes["customer"] = self._customer(params["customer"])
        for field in ("description", "transfer_group"):
            if field in params:
                changes[field] = params[field] or None
        if "metadata" in params:
            changes["metadata"] = metadata_update(pi["metadata"], params["metadata"])
        if "payment_method_options" in params:
            view = {**pi, **changes}
            changes["payment_method_options"] = self._options(
                view["payment_method_types"], params["payment_method_options"],
                view["currency"], view["customer"], view["capture_method"])
        return changes

    def confirm(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/confirm."""
        pi = self.get(pi_id)
        if "payment_method_options" in params:
            pi["payment_method_options"] = self._options(
                pi["payment_method_types"], params["payment_method_options"], pi["currency"],
                pi["customer"], pi["capture_method"])
        return self._confirm(pi, self._method(params, pi["payment_method_types"],
                                              pi["customer"]), params)

    def _confirm(self, pi: dict[str, Any], pm: dict[str, Any] | None,
                 params: dict[str, Any]) -> dict[str, Any]:
        """Charge, decline, redirect, or wait for a transfer, by the PaymentMethod's type."""
        if pi["status"] not in UPDATABLE:
            raise unexpected_state(
                f"You cannot confirm this PaymentIntent because it has a status of "
                f"{pi['status']}.", pi, "payment_intent")
        if pm is None and pi["payment_method"]:
            pm = resolve(self.store, pi["payment_method"])
        if pm is None:
            raise invalid("You cannot confirm this PaymentIntent because it's missing a payment "
                          "method.", param="payment_method", code="payment_intent_unexpected_state")
        pi.update(payment_method=pm["id"], last_payment_error=None, next_action=None)
        return_url = params.get("return_url") or None
        if pm["type"] == "paypal":
            return self.paypal.confirm(pi, pm, return_url)
        if pm["type"] == "customer_balance":
            return self.bank.confirm(pi, pm)
        off_session = str(params.get("off_session", "")).lower() in OFF_SESSION
        return self.cards.confirm(pi, pm, off_session=off_session, return_url=return_url)

    def authenticate(self, pi_id: str, succeed: bool) -> tuple[dict[str, Any], str | None]:
        """Finish a 3-D Secure or PayPal test page: proceed or fail. Returns the return_url."""
        pi = self.get(pi_id)
        return_url = self.store.state["test_behaviour"].get(f"return:{pi_id}")
        if pi["status"] != "requires_action" or pi["next_action"]["type"] not in (
                "redirect_to_url", "use_stripe_sdk"):
            return pi, return_url
        pm = resolve(self.store, pi["payment_method"])
        if pm["type"] == "paypal":
            return self.paypal.approved(pi, pm, succeed), return_url
        return self.cards.authenticated(pi, pm, succeed), return_url

    def capture(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/capture: all or part; the rest is released."""
        pi = self.get(pi_id)
        amount = parse_amount(params.get("amount_to_capture", pi["amount_capturable"] or 1),
                              "amount_to_capture")
        if pi["status"] != "requires_capture":
            raise unexpected_state(
                "This PaymentIntent could not be captured because it has a status of "
                f"{pi['status']}. Only a PaymentIntent with one of the following statuses may "
                "be captured: requires_capture.", pi, "payment_intent")
        if amount > pi["amount_capturable"]:
            raise invalid("The amount to capture must be less than or equal to the "
                          f"amount_capturable ({pi['amount_capturable']}).",
                          param="amount_to_capture", code="amount_too_large")
        charge = self.store.objects[pi["latest_charge"]]
        charge.update(captured=True, amount_captured=amount)
        pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.events.emit("charge.captured", charge)
        self.events.emit("payment_intent.succeeded", pi)
        return pi

    def cancel(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/cancel; funds applied from a cash balance go back."""
        pi = self.get(pi_id)
        reason = params.get("cancellation_reason") or None
        if reason is not None and reason not in CANCELLATION_REASONS:
            raise invalid(f"Invalid cancellation_reason: must be one of "
                          f"{', '.join(CANCELLATION_REASONS)}", param="cancellation_reason")
        if pi["status"] not in CANCELABLE:
            raise unexpected_state(
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{pi['status']}. Only a PaymentIntent with one of the following statuses may "
                f"be canceled: {', '.join(CANCELABLE)}.", pi, "payment_intent")
        pi.update(status="canceled", cancellation_reason=reason, canceled_at=now(),
                  amount_capturable=0, next_action=None)
        self.bank.release(pi)
        self.events.emit("payment_intent.canceled", pi)
        return pi

    def _customer(self, customer: Any) -> str | None:
        if not customer:
            return None
        if self.store.get(customer, "customer") is None:
            raise no_such("customer", customer, param="customer")
        return str(customer)

    def _options(self, types: list[str], given: Any, currency: str, customer: str | None,
                 capture: str) -> dict[str, Any]:
        """payment_method_options per type; customer_balance needs a customer, eur, automatic."""
        given = given if isinstance(given, dict) else {}
        options: dict[str, Any] = {}
        if "card" in types:
            options["card"] = {"request_three_d_secure": "automatic"}
        if "paypal" in types:
            options["paypal"] = {"preferred_locale": None, "reference": None}
        if "customer_balance" in types:
            if not customer:
                raise invalid("A Customer is required to use the customer_balance payment "
                              "method.", param="customer")
            if capture == "manual":
                raise invalid("The payment method customer_balance does not support "
                              "capture_method manual.", param="capture_method")
            options["customer_balance"] = parse_options(given["customer_balance"], currency) \
                if "customer_balance" in given else {}
        return options

    def _method(self, params: dict[str, Any], types: list[str],
                customer: str | None) -> dict[str, Any] | None:
        """The PaymentMethod named by payment_method or made from payment_method_data."""
        if params.get("payment_method"):
            pm = resolve(self.store, params["payment_method"])
        elif params.get("payment_method_data"):
            pm = from_data(self.store, params["payment_method_data"])
        else:
            return None
        if pm["type"] not in types:
            raise invalid(f"The PaymentMethod provided ({pm['type']}) is not allowed for this "
                          "PaymentIntent. Please attach a PaymentMethod of one of the following "
                          f"types: {', '.join(types)}.", param="payment_method")
        check_owner(pm, customer)
        return pm


def _check_confirmable(pm: dict[str, Any], params: dict[str, Any], options: dict[str, Any],
                       currency: str) -> None:
    """Refuse at create what confirming would refuse for its parameters (no intent is made)."""
    if pm["type"] == "paypal":
        require_return_url(params.get("return_url"))
    if pm["type"] == "customer_balance":
        parse_options(options.get("customer_balance"), currency)


def _currency(params: dict[str, Any]) -> str:
    currency = str(params.get("currency") or "").lower()
    if not currency:
        raise missing_param("currency")
    if len(currency) != 3 or not currency.isalpha():
        raise invalid(f"Invalid currency: {currency}.", param="currency")
    return currency


def _types(value: Any) -> list[str]:
    types = list(value) if isinstance(value, list) else ["card"] if not value else [str(value)]
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise invalid(f"The payment method type provided: {unknown[0]} is invalid; the twin "
                      f"supports {', '.join(TYPES)}.", param="payment_method_types")
    return types
