"""PayPal through Stripe: confirm with a return_url, approve or fail on the test page."""

from __future__ import annotations

from typing import Any

from devstack.stripe.errors import invalid
from devstack.stripe.outcomes import Outcomes

ATTEMPT_FAILED = ("The latest payment attempt of this PaymentIntent has failed or been "
                  "canceled, and the attached payment method has been removed. You can try "
                  "confirming again with a new payment method.")


def require_return_url(return_url: str | None) -> None:
    """PayPal needs somewhere to send the payer back to: 400 without a return_url."""
    if not return_url:
        raise invalid("You must provide a `return_url` when confirming a PaymentIntent with "
                      "the payment method type paypal.", param="return_url")


class PayPalPayments:
    """A PayPal PaymentIntent waits in requires_action until the payer approves or fails."""

    def __init__(self, outcomes: Outcomes, base_url: str) -> None:
        self.outcomes, self.base_url = outcomes, base_url

    def confirm(self, pi: dict[str, Any], pm: dict[str, Any],
                return_url: str | None) -> dict[str, Any]:
        """Redirect to the PayPal approval page; a return_url is required (400 otherwise)."""
        require_return_url(return_url)
        url = f"{self.base_url}/redirect/paypal/{pi['id']}?client_secret={pi['client_secret']}"
        return self.outcomes.redirect(pi, url, return_url)

    def approved(self, pi: dict[str, Any], pm: dict[str, Any],
                 succeed: bool) -> dict[str, Any]:
        """Authorize → charged (succeeded or requires_capture); fail → requires_payment_method."""
        if succeed:
            return self.outcomes.pay(pi, pm)
        return self.outcomes.fail(pi, pm, "payment_intent_payment_attempt_failed",
                                  ATTEMPT_FAILED)
