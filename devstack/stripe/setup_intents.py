"""SetupIntents: save a card for later (off-session) payments, 3-D Secure included."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe import cards
from devstack.stripe.card_payments import AUTH_FAILURE
from devstack.stripe.customers import metadata_update
from devstack.stripe.errors import StripeError, invalid, no_such, unexpected_state
from devstack.stripe.events import Events
from devstack.stripe.forms import parse_bool
from devstack.stripe.payment_methods import PaymentMethods, resolve
from devstack.stripe.store import Store, new_id, now

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
REASONS = ("abandoned", "requested_by_customer", "duplicate")
USAGES = ("off_session", "on_session")


class SetupIntents:
    """/v1/setup_intents; callers hold store.lock and save afterwards."""

    def __init__(self, store: Store, events: Events, methods: PaymentMethods,
                 base_url: str) -> None:
        self.store, self.events, self.methods = store, events, methods
        self.base_url = base_url

    def get(self, seti_id: str) -> dict[str, Any]:
        """The SetupIntent, or 404 resource_missing."""
        seti = self.store.get(seti_id, "setup_intent")
        if seti is None:
            raise no_such("setup_intent", seti_id)
        return seti

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/setup_intents (confirm=true confirms at once)."""
        usage = params.get("usage") or "off_session"
        if usage not in USAGES:
            raise invalid(f"Invalid usage: must be one of {', '.join(USAGES)}", param="usage")
        if params.get("return_url") and not parse_bool(params.get("confirm")):
            raise invalid("You can only pass in return_url when confirm is true.",
                          param="return_url")
        types = params.get("payment_method_types") or ["card"]
        if types != ["card"]:
            raise invalid("The twin's SetupIntents save cards only.",
                          param="payment_method_types")
        customer = params.get("customer") or None
        if customer and self.store.get(customer, "customer") is None:
            raise no_such("customer", customer, param="customer")
        pm = self._method(params.get("payment_method"), customer)
        seti_id = new_id("seti")
        seti = self.store.put({
            "id": seti_id, "object": "setup_intent", "application": None,
            "cancellation_reason": None,
            "client_secret": f"{seti_id}_secret_{secrets.token_hex(8)}", "created": now(),
            "customer": customer, "description": params.get("description") or None,
            "last_setup_error": None, "latest_attempt": None, "livemode": False,
            "mandate": None, "metadata": metadata_update({}, params.get("metadata")),
            "next_action": None, "on_behalf_of": None,
            "payment_method": pm["id"] if pm else None,
            "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
            "payment_method_types": types, "single_use_mandate": None,
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "usage": usage})
        self.events.emit("setup_intent.created", seti)
        if parse_bool(params.get("confirm")):
            return self._confirm(seti, pm, params.get("return_url"))
        return seti

    def confirm(self, seti_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/setup_intents/{id}/confirm."""
        seti = self.get(seti_id)
        return self._confirm(seti, self._method(params.get("payment_method"), seti["customer"]),
                             params.get("return_url"))

    def _confirm(self, seti: dict[str, Any], pm: dict[str, Any] | None,
                 return_url: str | None) -> dict[str, Any]:
        if seti["status"] not in CONFIRMABLE:
            raise unexpected_state(
                f"You cannot confirm this SetupIntent because it has a status of "
                f"{seti['status']}.", seti, "setup_intent")
        if pm is None and seti["payment_method"]:
            pm = resolve(self.store, seti["payment_method"])
        if pm is None:
            raise invalid("You cannot confirm this SetupIntent because it's missing a payment "
                          "method.", param="payment_method", code="setup_intent_unexpected_state")
        seti.update(payment_method=pm["id"], last_setup_error=None, next_action=None)
        card = cards.card_of(self.store, pm)
        if card.decline_code and card.setup_declines:
            self._decline(seti, pm, card.decline_code)
        if card.setup_auth:
            return self._require_action(seti, return_url)
        return self._succeed(seti, pm)

    def _require_action(self, seti: dict[str, Any], return_url: str | None) -> dict[str, Any]:
        url = (f"{self.base_url}/redirect/setup/{seti['id']}"
               f"?client_secret={seti['client_secret']}")
        seti["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {
            "url": url, "return_url": return_url}} if return_url else {
            "type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect",
                                                         "stripe_js": url}}
        seti["status"] = "requires_action"
        self.store.state["test_behaviour"][f"return:{seti['id']}"] = return_url
        self.events.emit("setup_intent.requires_action", seti)
        return seti

    def _succeed(self, seti: dict[str, Any], pm: dict[str, Any]) -> dict[str, Any]:
        """Saved: attached to the customer; an off_session setup exempts later payments."""
        if seti["customer"]:
            self.methods.attach_to(pm, seti["customer"])
        if seti["usage"] == "off_session":
            self.store.state["test_behaviour"][f"set_up:{pm['id']}"] = True
        seti.update(status="succeeded", next_action=None)
        self.events.emit("setup_intent.succeeded", seti)
        return seti

    def _decline(self, seti: dict[str, Any], pm: dict[str, Any], decline_code: str) -> None:
        message = cards.DECLINE_MESSAGES[decline_code]
        error = {"type": "card_error", "code": "card_declined", "decline_code": decline_code,
                 "message": message, "payment_method": dict(pm)}
        seti.update(status="requires_payment_method", last_setup_error=error,
                    payment_method=None)
        self.events.emit("setup_intent.setup_failed", seti)
        raise StripeError(402, "card_error", message, code="card_declined",
                          decline_code=decline_code, saved=True,
                          extra={"setup_intent": dict(seti), "payment_method": dict(pm)})

    def authenticate(self, seti_id: str, succeed: bool) -> tuple[dict[str, Any], str | None]:
        """Finish the 3-D Secure test page for a SetupIntent. Returns its return_url."""
        seti = self.get(seti_id)
        return_url = self.store.state["test_behaviour"].get(f"return:{seti_id}")
        if seti["status"] != "requires_action":
            return seti, return_url
        pm = resolve(self.store, seti["payment_method"])
        if succeed:
            return self._succeed(seti, pm), return_url
        seti.update(status="requires_payment_method", next_action=None, payment_method=None,
                    last_setup_error={"type": "invalid_request_error",
                                      "code": "setup_intent_authentication_failure",
                                      "message": AUTH_FAILURE.replace("PaymentIntent",
                                                                      "SetupIntent"),
                                      "payment_method": dict(pm)})
        self.events.emit("setup_intent.setup_failed", seti)
        return seti, return_url

    def cancel(self, seti_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/setup_intents/{id}/cancel, before it succeeds."""
        seti = self.get(seti_id)
        reason = params.get("cancellation_reason") or None
        if reason is not None and reason not in REASONS:
            raise invalid(f"Invalid cancellation_reason: must be one of {', '.join(REASONS)}",
                          param="cancellation_reason")
        if seti["status"] not in CONFIRMABLE:
            raise unexpected_state(
                "You cannot cancel this SetupIntent because it has a status of "
                f"{seti['status']}. Only a SetupIntent with one of the following statuses may "
                f"be canceled: {', '.join(CONFIRMABLE)}.", seti, "setup_intent")
        seti.update(status="canceled", cancellation_reason=reason, next_action=None)
        self.events.emit("setup_intent.canceled", seti)
        return seti

    def _method(self, pm_id: Any, customer: str | None) -> dict[str, Any] | None:
        if not pm_id:
            return None
        pm = resolve(self.store, str(pm_id))
        if pm["type"] != "card":
            raise invalid("The twin's SetupIntents save cards only.", param="payment_method")
        if pm["customer"] and pm["customer"] != customer:
            raise invalid(f"The payment method supplied ({pm['id']}) belongs to the Customer "
                          f"{pm['customer']}. Please include the Customer in the `customer` "
                          "parameter on the SetupIntent.", param="payment_method")
        return pm
