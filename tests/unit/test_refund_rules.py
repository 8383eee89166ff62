"""Refund and cancellation rules in plain values: limits per line and per order, the last
refund's remainder, commission returned pro rata (half-even), who may refund or cancel."""

from __future__ import annotations

import dataclasses

import pytest

from common.domain.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    NothingToRefund,
    OrderAlreadyShipped,
    OrderNotPaid,
    RefundExceedsPaid,
)
from common.domain.identity import AccountState, Principal, Role
from common.domain.refunds import (
    CancelAction,
    LineRequest,
    OrderLine,
    PartShare,
    RefundableOrder,
    cancel_action,
    line_refund,
    parts_fully_refunded,
    plan_refund,
    refund_scope,
    statuses_after,
)

BUYER, VENDOR_A, VENDOR_B = "buyer-1", "vendor-a", "vendor-b"


def person(role: Role, account_id: str) -> Principal:
    return Principal(account_id, role, AccountState.ACTIVE, True)


ADMIN = person(Role.ADMIN, "admin-1")


def line(line_id: str = "l1", *, quantity: int = 3, unit: int = 1000, commission: int = 300,
         vendor: str = VENDOR_A, part: str = "part-a", **claimed: int) -> OrderLine:
    return OrderLine(line_id, part, vendor, f"product-{line_id}", quantity, unit,
                     unit * quantity, commission, **claimed)


def order(*lines: OrderLine, status: str = "paid", paid: int | None = None, claimed: int = 0,
          parts: dict[str, str] | None = None) -> RefundableOrder:
    paid = sum(item.line_amount for item in lines) if paid is None else paid
    parts = parts or {item.part_id: status for item in lines}
    return RefundableOrder("order-1", BUYER, status, paid, claimed, parts, lines)


def claim(item: OrderLine, quantity: int) -> OrderLine:
    """The line after a refund of `quantity` more of it was requested."""
    taken = line_refund(item, quantity)
    return dataclasses.replace(item, claimed_quantity=item.claimed_quantity + quantity,
                               claimed_amount=item.claimed_amount + taken.amount,
                               claimed_commission=item.claimed_commission
                               + taken.commission_returned)


# Limits ---------------------------------------------------------------------------------

def test_a_line_refunds_at_most_its_quantity_less_what_refunds_already_claimed():
    # Given a line of 3 with 2 already claimed by a refund
    item = claim(line(quantity=3), 2)
    paid = order(item)

    # When 2 more are asked, Then it is more than paid (422), naming what is left
    with pytest.raises(RefundExceedsPaid) as refused:
        plan_refund(paid, paid.lines, [LineRequest("l1", 2)])
    assert refused.value.status == 422 and refused.value.code == "refund_exceeds_paid"
    assert refused.value.extra == {"line_id": "l1", "quantity_left": 1}

    # And 1 is fine
    assert plan_refund(paid, paid.lines, [LineRequest("l1", 1)]).amount == 1000


def test_an_order_refunds_at_most_what_was_paid_less_what_refunds_claimed():
    # Given an order whose lines hold 3000 but only 2500 was left to refund at the order
    paid = order(line(quantity=3), paid=3000, claimed=500)

    # When everything is asked
    with pytest.raises(RefundExceedsPaid) as refused:
        plan_refund(paid, paid.lines, None)

    # Then it is more than paid
    assert refused.value.extra == {"amount_left": 2500}


def test_no_lines_means_everything_left_in_the_callers_scope():
    # Given two lines, one partly claimed
    paid = order(claim(line("l1", quantity=3), 1), line("l2", quantity=2, unit=500,
                                                        commission=100))

    # When the whole scope is refunded
    plan = plan_refund(paid, paid.lines, None)

    # Then each line gives back what it has left
    assert [(item.line_id, item.quantity, item.amount) for item in plan.lines] == [
        ("l1", 2, 2000), ("l2", 2, 1000)]
    assert plan.amount == 3000


@pytest.mark.parametrize("status,error", [
    ("pending_payment", OrderNotPaid), ("payment_failed", OrderNotPaid),
    ("cancelled", NothingToRefund), ("refunded", NothingToRefund),
], ids=["pending", "payment-failed", "cancelled", "refunded"])
def test_an_order_without_money_to_give_back_is_a_conflict(status, error):
    unpaid = order(line(), status=status)

    with pytest.raises(error) as refused:
        plan_refund(unpaid, unpaid.lines, None)

    assert refused.value.status == 409


def test_a_fully_claimed_scope_has_nothing_left():
    done = order(claim(line(quantity=2), 2), claimed=2000)

    with pytest.raises(NothingToRefund):
        plan_refund(done, done.lines, [LineRequest("l1", 1)])


@pytest.mark.parametrize("requested,field", [
    ([LineRequest("elsewhere", 1)], "lines[0].line_id"),
    ([LineRequest("l1", 1), LineRequest("l1", 1)], "lines[1].line_id"),
], ids=["unknown-line", "line-twice"])
def test_lines_outside_the_scope_or_named_twice_are_invalid(requested, field):
    paid = order(line())

    with pytest.raises(InvalidRequest) as refused:
        plan_refund(paid, paid.lines, requested)

    assert refused.value.extra["errors"][0]["field"] == field


def test_refunds_are_allowed_after_shipping_and_delivery():
    for status in ("shipped", "delivered"):
        sent = order(line(), status=status)
        assert plan_refund(sent, sent.lines, [LineRequest("l1", 1)]).amount == 1000


# Amounts: the last refund takes what is left; commission pro rata, half-even -------------

def test_the_last_refund_of_a_line_takes_exactly_what_is_left():
    # Given a line of 3 × 333 with a commission of 100 (33.3 each)
    item = line(quantity=3, unit=333, commission=100)

    # When it is refunded one unit at a time
    first = line_refund(item, 1)
    second = line_refund(claim(item, 1), 1)
    last = line_refund(claim(claim(item, 1), 1), 1)

    # Then the amounts add up to the line and the commission to the line's commission
    assert [first.amount, second.amount, last.amount] == [333, 333, 333]
    assert [first.commission_returned, second.commission_returned,
            last.commission_returned] == [33, 34, 33]
    assert first.commission_returned + second.commission_returned \
        + last.commission_returned == 100


@pytest.mark.parametrize("commission,quantity,expected", [
    (5, 2, 2),  # 2.5 -> 2 (half to even)
    (7, 2, 4),  # 3.5 -> 4 (half to even)
    (9, 4, 2),  # 2.25 -> 2
    (10, 4, 2),  # 2.5 -> 2
    (6, 4, 2),  # 1.5 -> 2
], ids=["2.5", "3.5", "2.25", "2.5-again", "1.5"])
def test_commission_returned_is_pro_rata_rounded_half_even(commission, quantity, expected):
    item = line(quantity=quantity, unit=100, commission=commission)

    assert line_refund(item, 1).commission_returned == expected


def test_piecewise_refunds_never_return_more_commission_than_the_line_took():
    # Given a line of 6 whose commission of 9 makes 1.5 a unit (each rounded alone: 2 × 6 = 12)
    item = line(quantity=6, unit=100, commission=9)

    # When it is refunded unit by unit
    returned = []
    for _ in range(6):
        returned.append(line_refund(item, 1).commission_returned)
        item = claim(item, 1)

    # Then each share is the cumulative half-even share less the earlier ones: exactly 9
    assert returned == [2, 1, 1, 2, 2, 1]  # cumulative 2, 3, 4, 6, 8, 9
    assert sum(returned) == 9


def test_a_refund_sums_its_lines_per_part():
    paid = order(line("l1", vendor=VENDOR_A, part="part-a"),
                 line("l2", quantity=1, unit=700, commission=70, vendor=VENDOR_B,
                      part="part-b"),
                 line("l3", quantity=2, unit=50, commission=10, vendor=VENDOR_A,
                      part="part-a"))

    plan = plan_refund(paid, paid.lines, None)

    assert plan.parts() == (PartShare("part-a", VENDOR_A, 3100, 310),
                            PartShare("part-b", VENDOR_B, 700, 70))


# Who may refund -------------------------------------------------------------------------

def two_vendor_order() -> RefundableOrder:
    return order(line("l1", vendor=VENDOR_A, part="part-a"),
                 line("l2", vendor=VENDOR_B, part="part-b"))


def test_an_admin_may_refund_any_line():
    assert [item.id for item in refund_scope(ADMIN, two_vendor_order())] == ["l1", "l2"]


def test_a_vendor_may_refund_only_its_own_parts_lines():
    scope = refund_scope(person(Role.VENDOR, VENDOR_B), two_vendor_order())

    assert [item.id for item in scope] == ["l2"]
    with pytest.raises(InvalidRequest):
        plan_refund(two_vendor_order(), scope, [LineRequest("l1", 1)])


def test_a_vendor_without_a_part_in_the_order_does_not_see_it():
    with pytest.raises(NotFound):
        refund_scope(person(Role.VENDOR, "vendor-c"), two_vendor_order())


def test_the_buyer_cannot_refund_it_cancels():
    with pytest.raises(Forbidden, match="cancel"):
        refund_scope(person(Role.CUSTOMER, BUYER), two_vendor_order())


# Who may cancel, and what a cancel does --------------------------------------------------

@pytest.mark.parametrize("status,parts,action", [
    ("pending_payment", {"part-a": "pending_payment"}, CancelAction.VOID_PAYMENT),
    ("pending_review", {"part-a": "pending_review"}, CancelAction.WITHDRAW_HELD),
    ("paid", {"part-a": "paid"}, CancelAction.REFUND),
    ("cancelled", {"part-a": "cancelled"}, CancelAction.NONE),
], ids=["before-payment", "held-for-review", "paid", "again"])
def test_the_buyer_cancels_before_anything_shipped(status, parts, action):
    assert cancel_action(person(Role.CUSTOMER, BUYER),
                         order(line(), status=status, parts=parts)) is action


@pytest.mark.parametrize("status,parts", [
    ("paid", {"part-a": "shipped", "part-b": "paid"}),
    ("shipped", {"part-a": "shipped"}),
    ("delivered", {"part-a": "delivered"}),
], ids=["one-part-shipped", "shipped", "delivered"])
def test_cancel_after_a_part_shipped_is_a_conflict(status, parts):
    with pytest.raises(OrderAlreadyShipped) as refused:
        cancel_action(person(Role.CUSTOMER, BUYER), order(line(), status=status, parts=parts))

    assert (refused.value.status, refused.value.code) == (409, "order_already_shipped")


@pytest.mark.parametrize("caller", [person(Role.CUSTOMER, "someone-else"),
                                    person(Role.VENDOR, VENDOR_A)], ids=["customer", "vendor"])
def test_only_the_buyer_may_cancel(caller):
    with pytest.raises(NotFound):
        cancel_action(caller, order(line()))


def test_a_fully_refunded_or_failed_order_cannot_be_cancelled():
    with pytest.raises(NothingToRefund):
        cancel_action(person(Role.CUSTOMER, BUYER), order(claim(line(quantity=1), 1)))
    with pytest.raises(OrderNotPaid):
        cancel_action(person(Role.CUSTOMER, BUYER), order(line(), status="payment_failed"))


# Statuses after a refund ----------------------------------------------------------------

def test_a_fully_refunded_part_is_refunded_and_the_order_follows_its_live_parts():
    parts, status = statuses_after("paid", {"part-a": "shipped", "part-b": "paid"}, ["part-b"])

    assert parts == {"part-a": "shipped", "part-b": "refunded"}
    assert status == "shipped"


def test_every_part_refunded_refunds_the_order():
    parts, status = statuses_after("paid", {"part-a": "paid", "part-b": "refunded"}, ["part-a"])

    assert (parts, status) == ({"part-a": "refunded", "part-b": "refunded"}, "refunded")


def test_a_partial_refund_leaves_the_statuses_alone():
    assert statuses_after("delivered", {"part-a": "delivered"}, []) == (
        {"part-a": "delivered"}, "delivered")


def test_a_part_is_fully_refunded_once_each_of_its_lines_is():
    lines = [line("l1", quantity=2, part="part-a", refunded_quantity=1),
             line("l2", quantity=1, part="part-a"),
             line("l3", quantity=1, part="part-b")]
    refund = [line_refund(lines[0], 1), line_refund(lines[1], 1)]

    assert parts_fully_refunded(lines, refund) == ["part-a"]
    assert parts_fully_refunded(lines, refund[:1]) == []
