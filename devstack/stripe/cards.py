"""Stripe's documented test PaymentMethods (docs.stripe.com/testing) and what each one does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devstack.stripe.errors import no_such
from devstack.stripe.store import Store, new_id, now


@dataclass(frozen=True)
class TestCard:
    """A test card: brand, last4, and the outcome of charging it."""

    brand: str
    last4: str
    decline_code: str | None = None  # set: every charge is declined with this code
    three_d_secure: bool = False  # every payment must be authenticated first


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
    "pm_card_authenticationRequired": TestCard("visa", "3184", three_d_secure=True),
    "pm_card_threeDSecure2Required": TestCard("visa", "3220", three_d_secure=True),
    "pm_card_threeDSecureRequired": TestCard("visa", "3063", three_d_secure=True),
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
}


def resolve(store: Store, pm_id: str) -> tuple[dict[str, Any], TestCard]:
    """The PaymentMethod for an id; a test token (pm_card_…) makes a new one, as Stripe does.

    Raises StripeError (400 resource_missing, param payment_method) for an unknown id.
    """
    behaviour = store.state["test_behaviour"]
    if pm_id in CARDS:
        card = CARDS[pm_id]
        pm = store.put({
            "id": new_id("pm"), "object": "payment_method", "type": "card", "created": now(),
            "livemode": False, "customer": None, "metadata": {},
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "card": {"brand": card.brand, "last4": card.last4, "exp_month": 12,
                     "exp_year": 2034, "funding": "credit", "country": "US"}})
        behaviour[pm["id"]] = pm_id
        return pm, card
    pm = store.get(pm_id, "payment_method")
    if pm is None or pm_id not in behaviour:
        raise no_such("PaymentMethod", pm_id, param="payment_method")
    return pm, CARDS[behaviour[pm_id]]
