"""How a payment attempt ends, whatever the method: paid, declined, failed, or waiting."""

from __future__ import annotations

from typing import Any, NoReturn

from devstack.stripe import cards
from devstack.stripe.charges import make_charge
from devstack.stripe.errors import StripeError
from devstack.stripe.events import Events
from devstack.stripe.store import Store


class Outcomes:
    """Moves a PaymentIntent to its next status with its charge and events."""

    def __init__(self, store: Store, events: Events) -> None:
        self.store, self.events = store, events

    def pay(self, pi: dict[str, Any], pm: dict[str, Any]) -> dict[str, Any]:
        """A succeeded charge: captured (succeeded) or authorized (requires_capture)."""
        manual = pi["capture_method"] == "manual"
        charge = make_charge(self.store, pi, pm, captured=not manual)
        pi.update(latest_charge=charge["id"], next_action=None, last_payment_error=None)
        self.events.emit("charge.succeeded", charge)  # an authorization is a succeeded charge
        if manual:
            pi.update(status="requires_capture", amount_capturable=pi["amount"])
            self.events.emit("payment_intent.amount_capturable_updated", pi)
        else:
            pi.update(status="succeeded", amount_received=pi["amount"])
            self.events.emit("payment_intent.succeeded", pi)
        return pi

    def decline(self, pi: dict[str, Any], pm: dict[str, Any], decline_code: str,
                code: str = "card_declined") -> NoReturn:
        """A failed charge, the intent back to requires_payment_method, and a 402 card_error."""
        message = cards.DECLINE_MESSAGES[decline_code]
        charge = make_charge(self.store, pi, pm, captured=False,
                             failure=(code, decline_code, message))
        error = {"type": "card_error", "code": code, "decline_code": decline_code,
                 "message": message, "charge": charge["id"], "payment_method": dict(pm)}
        pi.update(status="requires_payment_method", latest_charge=charge["id"],
                  last_payment_error=error, next_action=None, payment_method=None)
        self.events.emit("charge.failed", charge)
        self.events.emit("payment_intent.payment_failed", pi)
        raise StripeError(402, "card_error", message, code=code, decline_code=decline_code,
                          saved=True, extra={"charge": charge["id"], "payment_intent": dict(pi),
                                             "payment_method": dict(pm)})

    def fail(self, pi: dict[str, Any], pm: dict[str, Any], code: str,
             message: str) -> dict[str, Any]:
        """An attempt that failed away from the API (a test page): no charge, no error raised."""
        pi.update(status="requires_payment_method", next_action=None, payment_method=None,
                  last_payment_error={"type": "invalid_request_error", "code": code,
                                      "message": message, "payment_method": dict(pm)})
        self.events.emit("payment_intent.payment_failed", pi)
        return pi

    def redirect(self, pi: dict[str, Any], url: str, return_url: str | None) -> dict[str, Any]:
        """requires_action with next_action redirect_to_url (use_stripe_sdk without return_url)."""
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
