"""Stripe's documented test cards (docs.stripe.com/testing) and what each one does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devstack.stripe.store import Store, new_id, now

ALWAYS, UNLESS_SET_UP, NEVER = "always", "unless_set_up", "never"


@dataclass(frozen=True)
class TestCard:
    """A test card: brand, last4, and what charging or saving it does."""

    brand: str
    last4: str
    decline_code: str | None = None  # set: every charge is declined with this code
    three_d_secure: bool = False  # on-session payments must be authenticated first
    off_session_auth: str = NEVER  # off-session payments: always / unless_set_up / never ask
    setup_auth: bool = False  # a SetupIntent must be authenticated
    setup_declines: bool = True  # a declining card also fails a SetupIntent




def _always_authenticate(last4: str, decline_code: str | None = None) -> TestCard:
    """A card whose bank asks for authentication on every payment and on setup."""
    return TestCard("visa", last4, decline_code, three_d_secure=True, off_session_auth=ALWAYS,
                    setup_auth=True, setup_declines=False)


CARDS = {
    "pm_card_visa": TestCard("visa", "4242"),
    "pm_card_visa_debit": TestCard("visa", "5556"),
    "pm_card_mastercard": TestCard("mastercard", "4444"),
    "pm_card_amex": TestCard("amex", "8431"),
    "pm_card_visa_chargeDeclined": TestCard("visa", "0002", "generic_decline"),
    "pm_card_chargeDeclined": TestCard("visa", "0002", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard("visa", "9995", "insufficient_funds"),
    "pm_card_chargeDeclinedLostCard": TestCard("visa", "9987", "lost_card"),
    "pm_card_chargeDeclinedStolenCard": TestCard("visa", "9979", "stolen_card"),
    # "Attaching this card to a Customer object succeeds, but attempts to charge it fail."
    "pm_card_chargeCustomerFail": TestCard("visa", "0341", "generic_decline",
                                           setup_declines=False),
    "pm_card_authenticationRequired": _always_authenticate("3184"),
    "pm_card_threeDSecure2Required": _always_authenticate("3220"),
    "pm_card_threeDSecureRequired": _always_authenticate("3063"),
    # "Authenticate unless set up": off-session payments pass once a SetupIntent saved it.
    "pm_card_authenticationRequiredOnSetup": TestCard(
        "visa", "3155", three_d_secure=True, off_session_auth=UNLESS_SET_UP, setup_auth=True),
    # "Already set up": on-session payments authenticate, off-session ones succeed.
    "pm_card_authenticationRequiredSetupForOffSession": TestCard(
        "visa", "0446", three_d_secure=True),
    # Authentication succeeds, then the charge is declined for insufficient funds.
    "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": _always_authenticate(
        "3178", "insufficient_funds"),
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "authentication_required": "Your card was declined. This transaction requires "
                               "authentication.",
}


def new_card(store: Store, token: str) -> dict[str, Any]:
    """A new card PaymentMethod for a test token (pm_card_…), as Stripe makes one per use."""
    card = CARDS[token]
    pm = store.put({
        "id": new_id("pm"), "object": "payment_method", "type": "card", "created": now(),
        "livemode": False, "customer": None, "metadata": {}, "allow_redisplay": "unspecified",
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "card": {"brand": card.brand, "last4": card.last4, "exp_month": 12, "exp_year": 2034,
                 "funding": "credit", "country": "US"}})
    store.state["test_behaviour"][pm["id"]] = token
    return pm


def card_of(store: Store, pm: dict[str, Any]) -> TestCard:
    """The test behaviour of a card PaymentMethod."""
    return CARDS[store.state["test_behaviour"][pm["id"]]]
