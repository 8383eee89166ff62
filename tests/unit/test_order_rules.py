"""The order rules (common/domain/orders.py, money.py, order_records.py): baskets, method
support, price freeze, stock, commission rounding, totals, status from parts, payment state."""

from __future__ import annotations

import pytest

from common.domain.errors import (
    AccountBlocked,
    EmailNotVerified,
    Forbidden,
    InsufficientStock,
    InvalidRequest,
    PaymentMethodNotSupported,
    PriceChanged,
    ProductUnavailable,
)
from common.domain.identity import AccountState, Principal, Role
from common.domain.money import commission_of, half_even_share
from common.domain.order_records import moves_forward, outcome_of
from common.domain.orders import (
    Offer,
    OrderItem,
    OrderStatus,
    PartStatus,
    check_items,
    ensure_in_stock,
    ensure_may_buy,
    order_status_from_parts,
    plan_order,
    supported_methods,
)


def offer(pid: str, vendor: str = "v1", price: int = 1000, *, stock: int = 5,
          methods=("card", "paypal", "bank_transfer"), listed: bool = True,
          can_sell: bool = True, category: str = "home") -> Offer:
    return Offer(pid, vendor, f"Product {pid}", price, "EUR", stock, category, listed,
                 can_sell, tuple(methods))


def plan(items, offers, method="card", rates=None, default_bp=1000):
    return plan_order(items, {o.product_id: o for o in offers}, method,
                      rates_bp=rates or {}, default_bp=default_bp)


@pytest.mark.parametrize("amount,numerator,denominator,share", [
    (5, 1, 2, 2), (15, 1, 2, 8), (25, 1, 10, 2), (35, 1, 10, 4), (1005, 1000, 10000, 100),
    (1015, 1000, 10000, 102), (1014, 1000, 10000, 101), (-5, 1, 2, -2), (0, 7, 3, 0),
], ids=["2.5-to-2", "7.5-to-8", "2.5c-to-2", "3.5c-to-4", "100.5-to-100", "101.5-to-102",
        "101.4-to-101", "negative-half", "zero"])
def test_shares_round_half_to_even(amount, numerator, denominator, share):
    assert half_even_share(amount, numerator, denominator) == share


def test_a_share_needs_a_positive_denominator_and_a_rate_in_range():
    with pytest.raises(ValueError):
        half_even_share(10, 1, 0)
    with pytest.raises(ValueError):
        commission_of(100, 10001)


def test_lines_are_grouped_by_vendor_with_commission_per_line_and_totals():
    # Given two vendors, books at 5 %, everything else at the 10 % default
    offers = [offer("p1", "v2", 1005), offer("p2", "v1", 333, category="books"),
              offer("p3", "v1", 250)]
    # When 1 × p1, 3 × p2 and 2 × p3 are planned
    result = plan([OrderItem("p1", 1), OrderItem("p2", 3), OrderItem("p3", 2)], offers,
                  rates={"books": 500})
    # Then one part per vendor, commission half-even per line, totals add up
    by_vendor = {part.vendor_id: part for part in result.parts}
    assert [line.commission for line in by_vendor["v1"].lines] == [50, 50]  # 49.95, 50.0
    assert by_vendor["v1"].subtotal == 999 + 500 and by_vendor["v1"].commission == 100
    assert by_vendor["v2"].commission == 100  # 100.5 → 100
    assert result.total == 1005 + 999 + 500
    assert result.quantities == {"p1": 1, "p2": 3, "p3": 2}


@pytest.mark.parametrize("items,field", [
    ([], "items"), ([OrderItem("p1", 0)], "items[0].quantity"),
    ([OrderItem("p1", 101)], "items[0].quantity"), ([OrderItem("p1", True)], "items[0].quantity"),
    ([OrderItem("p1", 1), OrderItem("p1", 2)], "items"),
    ([OrderItem(f"p{i}", 1) for i in range(51)], "items"),
], ids=["empty", "zero", "over-100", "boolean", "twice", "51-lines"])
def test_a_bad_basket_is_refused(items, field):
    with pytest.raises(InvalidRequest) as refused:
        check_items(items)
    assert refused.value.extra["errors"][0]["field"] == field


def test_the_methods_offered_are_those_every_vendor_accepts():
    offers = [offer("p1", "v1", methods=("card", "bank_transfer")),
              offer("p2", "v2", methods=("bank_transfer", "paypal", "card"))]
    assert supported_methods(offers) == ("card", "bank_transfer")
    with pytest.raises(PaymentMethodNotSupported) as refused:
        plan([OrderItem("p1", 1), OrderItem("p2", 1)], offers, "paypal")
    assert refused.value.extra == {"supported_methods": ["card", "bank_transfer"]}


def test_a_price_the_buyer_saw_must_still_be_the_catalogs():
    with pytest.raises(PriceChanged) as refused:
        plan([OrderItem("p1", 1, expected_unit_price=900)], [offer("p1", price=1000)])
    assert refused.value.extra["items"] == [
        {"product_id": "p1", "unit_price": {"amount": 1000, "currency": "EUR"}}]
    assert plan([OrderItem("p1", 1, expected_unit_price=1000)], [offer("p1")]).total == 1000


@pytest.mark.parametrize("offers", [[], [offer("p1", listed=False)],
                                    [offer("p1", can_sell=False)]],
                         ids=["unknown", "unlisted", "vendor-blocked"])
def test_an_unavailable_product_is_refused(offers):
    with pytest.raises(ProductUnavailable) as refused:
        plan([OrderItem("p1", 1)], offers)
    assert refused.value.extra == {"product_ids": ["p1"]}


def test_every_short_product_is_named_with_what_is_available():
    with pytest.raises(InsufficientStock) as refused:
        ensure_in_stock({"a": 2, "b": 5, "c": 1}, {"a": 2, "b": 3, "c": 0})
    assert refused.value.extra["items"] == [{"product_id": "b", "available": 3},
                                            {"product_id": "c", "available": 0}]
    ensure_in_stock({"a": 2}, {"a": 2})


@pytest.mark.parametrize("principal,error", [
    (Principal("x", Role.VENDOR, AccountState.ACTIVE, True), Forbidden),
    (Principal("x", Role.ADMIN, AccountState.ACTIVE, True), Forbidden),
    (Principal("x", Role.CUSTOMER, AccountState.ACTIVE, False), EmailNotVerified),
    (Principal("x", Role.CUSTOMER, AccountState.BLOCKED, True), AccountBlocked),
], ids=["vendor", "admin", "unverified", "blocked"])
def test_only_an_active_verified_customer_buys(principal, error):
    with pytest.raises(error):
        ensure_may_buy(principal)


P = PartStatus


@pytest.mark.parametrize("parts,status", [
    ([P.PAID, P.SHIPPED], OrderStatus.PAID), ([P.SHIPPED, P.DELIVERED], OrderStatus.SHIPPED),
    ([P.DELIVERED, P.DELIVERED], OrderStatus.DELIVERED),
    ([P.DELIVERED, P.REFUNDED], OrderStatus.DELIVERED),
    ([P.REFUNDED, P.REFUNDED], OrderStatus.REFUNDED),
    ([P.CANCELLED, P.CANCELLED], OrderStatus.CANCELLED),
], ids=["one-shipped", "all-shipped", "all-delivered", "refunded-part-ignored", "refunded",
        "cancelled"])
def test_a_paid_orders_status_follows_its_live_parts(parts, status):
    assert order_status_from_parts(OrderStatus.PAID, parts) == status


def test_an_unpaid_order_keeps_its_status():
    assert order_status_from_parts(OrderStatus.PENDING_PAYMENT, [P.PENDING_PAYMENT]) is (
        OrderStatus.PENDING_PAYMENT)


@pytest.mark.parametrize("current,new,before,now,forward", [
    ("creating", "requires_action", 0, 0, True), ("requires_action", "succeeded", 0, 10, True),
    ("succeeded", "requires_action", 10, 0, False), ("failed", "succeeded", 0, 10, False),
    ("requires_action", "requires_action", 40, 100, True),
    ("requires_action", "requires_action", 40, 40, False),
], ids=["created", "succeeded", "late-requires-action", "after-failure", "more-funds",
        "duplicate"])
def test_a_payment_only_moves_forward(current, new, before, now, forward):
    assert moves_forward(current, new, before, now) is forward


def test_outcomes_the_saga_acts_on():
    assert [outcome_of(s) for s in ("succeeded", "authorized", "failed", "canceled",
                                    "requires_action", "processing")] == [
        "succeeded", "succeeded", "failed", "failed", None, None]
