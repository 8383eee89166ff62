"""The fraud model's input: what is known about an order before it is decided, and its one
numeric encoding (the generator, the training, the worker and the tests all use vector()).
"""

from __future__ import annotations

from dataclasses import dataclass

# Payment methods, one-hot encoded here (never as a model's native categorical feature: a
# gradient-boosting model with native categories can convert to ONNX silently wrong).
METHODS: tuple[str, ...] = ("card", "paypal", "bank_transfer")


@dataclass(frozen=True)
class OrderFacts:
    """Everything from data before the decision: the order, its account, device, IP and card."""

    amount: int
    account_age_days: float
    prior_orders: int
    prior_amount_mean: float
    orders_account_1h: int
    orders_device_1h: int
    orders_ip_1h: int
    declines_account_24h: int
    declines_device_24h: int
    cards_account_24h: int
    cards_device_24h: int
    accounts_on_device_30d: int
    new_device: bool
    password_reset_24h: bool
    country_mismatch: bool
    method: str


_NUMERIC: tuple[str, ...] = (
    "amount",
    "account_age_days",
    "prior_orders",
    "prior_amount_mean",
    "orders_account_1h",
    "orders_device_1h",
    "orders_ip_1h",
    "declines_account_24h",
    "declines_device_24h",
    "cards_account_24h",
    "cards_device_24h",
    "accounts_on_device_30d",
    "new_device",
    "password_reset_24h",
    "country_mismatch",
)
_DERIVED: tuple[str, ...] = ("amount_to_prior_mean",)

FEATURE_NAMES: tuple[str, ...] = (
    _NUMERIC + _DERIVED + tuple(f"method_{method}" for method in METHODS)
)


def amount_ratio(facts: OrderFacts) -> float:
    """The amount against the account's mean past order (0 for a first order)."""
    if facts.prior_orders == 0 or facts.prior_amount_mean <= 0:
        return 0.0
    return facts.amount / facts.prior_amount_mean


def vector(facts: OrderFacts) -> list[float]:
    """The facts as numbers in FEATURE_NAMES order; an unknown method sets no method column."""
    values = [float(getattr(facts, name)) for name in _NUMERIC]
    values.append(amount_ratio(facts))
    values.extend(1.0 if facts.method == method else 0.0 for method in METHODS)
    return values
