"""Order rules: who may buy, what a valid basket is, prices frozen from the catalog, the
methods every vendor accepts, stock, totals and commission per line, and an order's status
derived from its parts. Plain Python: the use cases (common/services/ordering.py) load the
values and save what these functions decide.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from common.domain.errors import (
    InsufficientStock,
    InvalidRequest,
    PaymentMethodNotSupported,
    PriceChanged,
    ProductUnavailable,
)
from common.domain.identity import PAYMENT_METHODS, Principal, Role, authorize
from common.domain.money import commission_of

CURRENCY = "EUR"
MAX_LINES = 50
MAX_QUANTITY = 100


class OrderStatus(str, enum.Enum):
    PENDING_REVIEW = "pending_review"  # held for a fraud review: stock reserved, not charged
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PAYMENT_FAILED = "payment_failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PartStatus(str, enum.Enum):
    PENDING_REVIEW = "pending_review"
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# Orders whose payment is over, one way or the other: nothing waits on the provider any more.
SETTLED = frozenset(OrderStatus) - {OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW}
FAILED = frozenset({OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED})


@dataclass(frozen=True)
class OrderItem:
    """One line as the buyer asks for it; `expected_unit_price` is the price it was shown."""

    product_id: str
    quantity: int
    expected_unit_price: int | None = None


@dataclass(frozen=True)
class Offer:
    """A product as the catalog offers it now, with what its vendor accepts."""

    product_id: str
    vendor_id: str
    name: str
    price_amount: int
    currency: str
    stock: int
    category_id: str
    listed: bool
    vendor_can_sell: bool  # active, verified, not blocked
    vendor_methods: tuple[str, ...]


@dataclass(frozen=True)
class PlannedLine:
    product_id: str
    product_name: str
    quantity: int
    unit_price: int
    line_amount: int
    commission_rate_bp: int
    commission: int


@dataclass(frozen=True)
class PlannedPart:
    vendor_id: str
    lines: tuple[PlannedLine, ...]

    @property
    def subtotal(self) -> int:
        return sum(line.line_amount for line in self.lines)

    @property
    def commission(self) -> int:
        return sum(line.commission for line in self.lines)


@dataclass(frozen=True)
class OrderPlan:
    """What the order will be: one part per vendor (by vendor id), lines in product order."""

    parts: tuple[PlannedPart, ...]

    @property
    def total(self) -> int:
        return sum(part.subtotal for part in self.parts)

    @property
    def quantities(self) -> dict[str, int]:
        return {line.product_id: line.quantity for part in self.parts for line in part.lines}


def ensure_may_buy(principal: Principal) -> None:
    """Only an active customer with a verified email buys (403 otherwise)."""
    authorize(principal, frozenset({Role.CUSTOMER}), verified_email=True)


def check_items(items: Iterable[OrderItem]) -> tuple[OrderItem, ...]:
    """1..50 lines, quantities whole numbers 1..100, no product twice (422 otherwise)."""
    basket = tuple(items)
    if not 1 <= len(basket) <= MAX_LINES:
        raise InvalidRequest.at("items", f"order 1 to {MAX_LINES} different products")
    for index, item in enumerate(basket):
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or not (
                1 <= item.quantity <= MAX_QUANTITY):
            raise InvalidRequest.at(f"items[{index}].quantity",
                                    f"a whole number from 1 to {MAX_QUANTITY}")
    twice = sorted(pid for pid, n in Counter(i.product_id for i in basket).items() if n > 1)
    if twice:
        raise InvalidRequest.at("items", f"each product once (repeated: {', '.join(twice)})")
    return basket


def supported_methods(offers: Iterable[Offer]) -> tuple[str, ...]:
    """The methods every vendor of the order accepts, in the API's order."""
    vendors = {offer.vendor_id: set(offer.vendor_methods) for offer in offers}
    common = set(PAYMENT_METHODS).intersection(*vendors.values()) if vendors else set()
    return tuple(method for method in PAYMENT_METHODS if method in common)


def plan_order(items: Iterable[OrderItem], offers: Mapping[str, Offer], method: str, *,
               rates_bp: Mapping[str, int], default_bp: int) -> OrderPlan:
    """The order to place, prices and commission frozen now.

    Raises ProductUnavailable (unknown, unlisted, or its vendor cannot sell), PriceChanged
    (a price the buyer saw is not the catalog's), PaymentMethodNotSupported (some vendor
    does not accept `method`), in that order. Stock is checked apart (`shortages`).
    """
    basket = check_items(items)
    unavailable = sorted(i.product_id for i in basket if not _sellable(offers.get(i.product_id)))
    if unavailable:
        raise ProductUnavailable(product_ids=unavailable)
    changed = [{"product_id": i.product_id, "unit_price": _money(offers[i.product_id])}
               for i in basket if i.expected_unit_price is not None
               and i.expected_unit_price != offers[i.product_id].price_amount]
    if changed:
        raise PriceChanged(items=sorted(changed, key=lambda c: c["product_id"]))
    chosen = [offers[i.product_id] for i in basket]
    accepted = supported_methods(chosen)
    if method not in accepted:
        raise PaymentMethodNotSupported(supported_methods=list(accepted))
    by_vendor: dict[str, list[PlannedLine]] = {}
    for item in sorted(basket, key=lambda i: i.product_id):
        offer = offers[item.product_id]
        rate = rates_bp.get(offer.category_id, default_bp)
        amount = offer.price_amount * item.quantity
        by_vendor.setdefault(offer.vendor_id, []).append(PlannedLine(
            offer.product_id, offer.name, item.quantity, offer.price_amount, amount, rate,
            commission_of(amount, rate)))
    return OrderPlan(tuple(PlannedPart(vendor, tuple(lines))
                           for vendor, lines in sorted(by_vendor.items())))


def shortages(wanted: Mapping[str, int], stock: Mapping[str, int]) -> list[dict[str, object]]:
    """Each product of which less is in stock than wanted, with what is available."""
    return [{"product_id": pid, "available": max(0, stock.get(pid, 0))}
            for pid, quantity in sorted(wanted.items()) if stock.get(pid, 0) < quantity]


def ensure_in_stock(wanted: Mapping[str, int], stock: Mapping[str, int]) -> None:
    """InsufficientStock naming every short product, or nothing."""
    short = shortages(wanted, stock)
    if short:
        raise InsufficientStock(items=short)


def order_status_from_parts(current: OrderStatus, parts: Iterable[PartStatus]) -> OrderStatus:
    """A paid order's status from its parts: shipped when every live part is shipped (or
    delivered), delivered when every live part is delivered, refunded or cancelled when
    every part is; an order not yet paid keeps its own status."""
    statuses = list(parts)
    if current in (OrderStatus.PENDING_REVIEW, OrderStatus.PENDING_PAYMENT,
                   OrderStatus.PAYMENT_FAILED) or not statuses:
        return current
    live = [s for s in statuses if s not in (PartStatus.CANCELLED, PartStatus.REFUNDED)]
    if not live:
        if all(s is PartStatus.CANCELLED for s in statuses):
            return OrderStatus.CANCELLED
        return OrderStatus.REFUNDED
    if all(s is PartStatus.DELIVERED for s in live):
        return OrderStatus.DELIVERED
    if all(s in (PartStatus.SHIPPED, PartStatus.DELIVERED) for s in live):
        return OrderStatus.SHIPPED
    return OrderStatus.PAID


def _sellable(offer: Offer | None) -> bool:
    return (offer is not None and offer.listed and offer.vendor_can_sell
            and offer.currency == CURRENCY)


def _money(offer: Offer) -> dict[str, object]:
    return {"amount": offer.price_amount, "currency": offer.currency}
