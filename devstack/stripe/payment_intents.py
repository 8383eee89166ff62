"""PaymentIntents for cards: create, confirm, 3-D Secure, capture, cancel, list."""

from __future__ import annotations

import secrets
from typing import Any

from devstack.stripe import cards
from devstack.stripe.charges import make_charge
from devstack.stripe.errors import StripeError, invalid, missing_param, no_such, unexpected_state
from devstack.stripe.events import Events
from devstack.stripe.store import Store, new_id, now

CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation",
              "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
AUTH_FAILURE = ("The provided PaymentMethod has failed authentication. You can provide "
                "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                "PaymentIntent again.")


def parse_amount(value: Any, param: str) -> int:
    """A positive integer amount in minor units; 400 otherwise."""
    if value is None:
        raise missing_param(param)
    if not str(value).isdigit():
        raise invalid(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")
    if int(value) < 1:
        raise invalid("This value must be greater than or equal to 1.", param=param)
    return int(value)


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


class PaymentIntents:
    """The state machine; callers hold store.lock and save afterwards."""

    def __init__(self, store: Store, events: Events, base_url: str) -> None:
        self.store, self.events, self.base_url = store, events, base_url

    def get(self, pi_id: str) -> dict[str, Any]:
        """The PaymentIntent, or 404 resource_missing."""
        pi = self.store.get(pi_id, "payment_intent")
        if pi is None:
            raise no_such("payment_intent", pi_id)
        return pi

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents."""
        amount = parse_amount(params.get("amount"), "amount")
        currency = str(params.get("currency") or "").lower()
        if not currency:
            raise missing_param("currency")
        if len(currency) != 3 or not currency.isalpha():
            raise invalid(f"Invalid currency: {currency}.", param="currency")
        capture = params.get("capture_method", "automatic")
        if capture not in ("automatic", "automatic_async", "manual"):
            raise invalid(f"Invalid capture_method: {capture}", param="capture_method")
        if params.get("return_url") and not _bool(params.get("confirm")):
            raise invalid("You can only pass in return_url when confirm is true.",
                          param="return_url")
        pm = cards.resolve(self.store, params["payment_method"])[0] \
            if params.get("payment_method") else None
        pi_id = new_id("pi")
        pi = self.store.put({
            "id": pi_id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "capture_method": capture, "canceled_at": None,
            "cancellation_reason": None, "client_secret": f"{pi_id}_secret_{secrets.token_hex(8)}",
            "confirmation_method": "automatic", "created": now(), "currency": currency,
            "description": params.get("description") or None, "last_payment_error": None,
            "latest_charge": None, "livemode": False, "metadata": _metadata(params),
            "next_action": None, "payment_method": pm["id"] if pm else None,
            "payment_method_types": ["card"],
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "transfer_group": params.get("transfer_group") or None})
        self.events.emit("payment_intent.created", pi)
        if _bool(params.get("confirm")):
            return self.confirm(pi_id, params)
        return pi

    def confirm(self, pi_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/payment_intents/{id}/confirm: charge, decline or ask for 3-D Secure."""
        pi = self.get(pi_id)
        if pi["status"] not in ("requires_payment_method", "requires_confirmation",
                                "requires_action"):
            raise unexpected_state(
                f"You cannot confirm this PaymentIntent because it has a status of "
                f"{pi['status']}.", pi, "payment_intent")
        pm_id = params.get("payment_method") or pi["payment_method"]
        if not pm_id:
            raise invalid("You cannot confirm this PaymentIntent because it's missing a payment "
                          "method.", param="payment_method", code="payment_intent_unexpected_state")
        pm, card = cards.resolve(self.store, pm_id)
        pi.update(payment_method=pm["id"], last_payment_error=None, next_action=None)
        if card.three_d_secure:
            return self._require_action(pi, params.get("return_url"))
        return self._charge(pi, pm, card)

    def _require_action(self, pi: dict[str, Any], return_url: str | None) -> dict[str, Any]:
        url = (f"{self.base_url}/redirect/authenticate/{pi['id']}"
               f"?client_secret={pi['client_secret']}")
        if return_url:
            pi["next_action"] = {"type": "redirect_to_url",
                                 "redirect_to_url": {"url": url, "return_url": return_url}}
        else:
            pi["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {
                "type": "three_d_secure_redirect", "stripe_js": url}}
        pi["status"] = "requires_action"
        self.store.state["test_behaviour"][f"return:{pi['id']}"] = return_url
        self.events.emit("payment_intent.requires_action", pi)
        return pi

    def _charge(self, pi: dict[str, Any], pm: dict[str, Any],
                card: cards.TestCard) -> dict[str, Any]:
        manual = pi["capture_method"] == "manual"
        if card.decline_code:
            return self._decline(pi, pm, card.decline_code)
        charge = make_charge(self.store, pi, pm, captured=not manual)
        pi.update(latest_charge=charge["id"], next_action=None)
        self.events.emit("charge.succeeded", charge)  # an authorization is a succeeded charge
        if manual:
            pi.update(status="requires_capture", amount_capturable=pi["amount"])
            self.events.emit("payment_intent.amount_capturable_updated", pi)
        else:
            pi.update(status="succeeded", amount_received=pi["amount"])
            self.events.emit("payment_intent.succeeded", pi)
        return pi

    def _decline(self, pi: dict[str, Any], pm: dict[str, Any], decline_code: str) -> dict:
        message = cards.DECLINE_MESSAGES[decline_code]
        charge = make_charge(self.store, pi, pm, captured=False,
                             failure=("card_declined", decline_code, message))
        error = {"type": "card_error", "code": "card_declined", "decline_code": decline_code,
                 "message": message, "charge": charge["id"], "payment_method": dict(pm)}
        pi.update(status="requires_payment_method", latest_charge=charge["id"],
                  last_payment_error=error, next_action=None, payment_method=None)
        self.events.emit("charge.failed", charge)
        self.events.emit("payment_intent.payment_failed", pi)
        raise StripeError(402, "card_error", message, code="card_declined",
                          decline_code=decline_code, saved=True,
                          extra={"charge": charge["id"], "payment_intent": dict(pi),
                                 "payment_method": dict(pm)})

    def authenticate(self, pi_id: str, succeed: bool) -> tuple[dict[str, Any], str | None]:
        """Finish the 3-D Secure page: proceed with the charge, or fail it. Returns return_url."""
        pi = self.get(pi_id)
        return_url = self.store.state["test_behaviour"].get(f"return:{pi_id}")
        if pi["status"] != "requires_action":
            return pi, return_url
        pm, card = cards.resolve(self.store, pi["payment_method"])
        if succeed:
            try:
                self._charge(pi, pm, card)
            except StripeError:
                pass
            return pi, return_url
        pi.update(status="requires_payment_method", next_action=None, payment_method=None,
                  last_payment_error={"type": "invalid_request_error",
                                      "code": "payment_intent_authentication_failure",
                                      "message": AUTH_FAILURE, "payment_method": dict(pm)})
        self.events.emit("payment_intent.payment_failed", pi)
        return pi, return_url

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
        """POST /v1/payment_intents/{id}/cancel, from the statuses Stripe allows."""
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
        self.events.emit("payment_intent.canceled", pi)
        return pi


def _metadata(params: dict[str, Any]) -> dict[str, str]:
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise invalid("Invalid object", param="metadata")
    return {key: str(value) for key, value in metadata.items() if value != ""}
