"""Hand-written fraud rules: the floor under the model's decision, and readable reasons."""

from __future__ import annotations

from collections.abc import Callable

from common.domain.fraud import Action
from edge_workers.fraud.features import OrderFacts

CARD_TESTING_DECLINES = 5  # declined payments on one device in 24 h
CARD_TESTING_CARDS = 5  # distinct cards on one device in 24 h
HIGH_FIRST_ORDER = 50_000  # minor units: EUR 500
VELOCITY_ORDERS_1H = 5  # orders from one account, device or IP in an hour
SHARED_DEVICE_ACCOUNTS = 4  # accounts seen on one device in 30 days
TAKEOVER_AMOUNT_RATIO = 5.0  # amount against the account's mean past order


def _euros(minor: int) -> str:
    """Minor units as whole euros, for a reason a person reads."""
    return f"EUR {minor // 100}"


def _card_testing(facts: OrderFacts) -> bool:
    """Many declines or many cards on one device: someone is trying stolen cards."""
    return (facts.declines_device_24h >= CARD_TESTING_DECLINES
            or facts.cards_device_24h >= CARD_TESTING_CARDS)


def _high_first_order_abroad(facts: OrderFacts) -> bool:
    """A first order of high value, shipped to another country than the client is in."""
    return (facts.prior_orders == 0 and facts.amount >= HIGH_FIRST_ORDER
            and facts.country_mismatch)


def _takeover(facts: OrderFacts) -> bool:
    """A password reset, a new device and an order far above the account's usual."""
    return (facts.password_reset_24h and facts.new_device and facts.prior_orders > 0
            and facts.amount >= TAKEOVER_AMOUNT_RATIO * max(facts.prior_amount_mean, 1.0))


def _velocity(facts: OrderFacts) -> bool:
    """Many orders in an hour from one account, device or IP."""
    return max(facts.orders_account_1h, facts.orders_device_1h,
               facts.orders_ip_1h) >= VELOCITY_ORDERS_1H


_REASONS: tuple[tuple[Callable[[OrderFacts], bool], Callable[[OrderFacts], str]], ...] = (
    (lambda f: f.declines_device_24h >= CARD_TESTING_DECLINES,
     lambda f: f"{f.declines_device_24h} declined payments on this device in 24 h"),
    (lambda f: f.cards_device_24h >= CARD_TESTING_CARDS,
     lambda f: f"{f.cards_device_24h} different cards on this device in 24 h"),
    (_high_first_order_abroad,
     lambda f: f"first order of {_euros(f.amount)} shipped outside the client's country"),
    (_takeover,
     lambda f: "password reset and a new device before an unusually large order"),
    (_velocity,
     lambda f: (f"{max(f.orders_account_1h, f.orders_device_1h, f.orders_ip_1h)} orders"
                " in an hour from this account, device or IP")),
    (lambda f: f.accounts_on_device_30d >= SHARED_DEVICE_ACCOUNTS,
     lambda f: f"{f.accounts_on_device_30d} accounts on this device in 30 days"),
)


def rule_reasons(facts: OrderFacts) -> tuple[str, ...]:
    """Why the rules find the order suspicious, in words; empty when they do not."""
    return tuple(explain(facts) for applies, explain in _REASONS if applies(facts))


def rule_action(facts: OrderFacts) -> Action:
    """The rules' own decision: card testing blocks, the other patterns hold for review."""
    if _card_testing(facts):
        return "block"
    if _high_first_order_abroad(facts) or _takeover(facts) or _velocity(facts):
        return "review"
    return "allow"


def blocks_account(facts: OrderFacts) -> bool:
    """Whether the rules alone also block the account (card testing is never an accident)."""
    return _card_testing(facts)
