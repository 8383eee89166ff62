"""Card payments: 3-D Secure on session, authentication_required off session, declines."""

from __future__ import annotations

from typing import Any

from devstack.stripe import cards
from devstack.stripe.errors import StripeError
from devstack.stripe.outcomes import Outcomes
from devstack.stripe.store import Store

AUTH_FAILURE = ("The provided PaymentMethod has failed authentication. You can provide "
                "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                "PaymentIntent again.")


def is_set_up(store: Store, pm: dict[str, Any]) -> bool:
    """Whether an off_session SetupIntent saved this card (its exemption for later payments)."""
    return bool(store.state["test_behaviour"].get(f"set_up:{pm['id']}"))


class CardPayments:
    """Confirm a card PaymentIntent; finish it from the 3-D Secure test page."""

    def __init__(self, store: Store, outcomes: Outcomes, base_url: str) -> None:
        self.store, self.outcomes, self.base_url = store, outcomes, base_url

    def confirm(self, pi: dict[str, Any], pm: dict[str, Any], *, off_session: bool,
                return_url: str | None) -> dict[str, Any]:
        """Charge, decline, ask for 3-D Secure (on session) or fail authentication_required."""
        card = cards.card_of(self.store, pm)
        if off_session:
            if card.off_session_auth == cards.ALWAYS or (
                    card.off_session_auth == cards.UNLESS_SET_UP
                    and not is_set_up(self.store, pm)):
                self.outcomes.decline(pi, pm, "authentication_required",
                                      code="authentication_required")
            return self._charge(pi, pm, card)
        if card.three_d_secure:
            url = (f"{self.base_url}/redirect/authenticate/{pi['id']}"
                   f"?client_secret={pi['client_secret']}")
            return self.outcomes.redirect(pi, url, return_url)
        return self._charge(pi, pm, card)

    def authenticated(self, pi: dict[str, Any], pm: dict[str, Any],
                      succeed: bool) -> dict[str, Any]:
        """The test page's answer: proceed with the charge (it may still decline), or fail."""
        if not succeed:
            return self.outcomes.fail(pi, pm, "payment_intent_authentication_failure",
                                      AUTH_FAILURE)
        try:
            return self._charge(pi, pm, cards.card_of(self.store, pm))
        except StripeError:
            return pi  # declined after authentication: the intent records it

    def _charge(self, pi: dict[str, Any], pm: dict[str, Any],
                card: cards.TestCard) -> dict[str, Any]:
        if card.decline_code:
            self.outcomes.decline(pi, pm, card.decline_code)
        return self.outcomes.pay(pi, pm)
