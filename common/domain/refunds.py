"""Refund and cancellation rules: who may, how much, and what each line gives back.

Plain values only. Money is integer minor units. What a line or an order may still give
back is what it holds less every refund not failed (requested or succeeded), so two refunds
racing for the same money cannot both pass. Amounts and commission are cumulative shares of
the line (`half_even_share` of everything refunded so far, less what earlier refunds took),
so the last refund of a line takes exactly what is left and rounding never leaves a cent
behind or gives one too many.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common.domain.errors import (
    Forbidden,
    InvalidRequest,
    NotFound,
    NothingToRefund,
    OrderAlreadyShipped,
    OrderNotPaid,
    RefundExceedsPaid,
)
from common.domain.identity import Principal, Role
from common.domain.money import half_even_share
from common.domain.orders import OrderStatus, PartStatus, order_status_from_parts

# Order statuses with money that may be given back; a partly refunded order keeps its status.
REFUNDABLE = frozenset({"paid", "shipped", "delivered"})
UNPAID = frozenset({"pending_payment", "payment_failed"})
SHIPPED = frozenset({"shipped", "delivered"})


class RefundStatus(str, enum.Enum):
    REQUESTED = "requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundKind(str, enum.Enum):
    REFUND = "refund"  # of lines, by an admin or a vendor: order.refunded
    CANCEL = "cancel"  # of everything left, by the buyer before shipping: order.cancelled


@dataclass(frozen=True)
class OrderLine:
    """A line as a refund sees it; `claimed_*` is what refunds not failed already took."""

    id: str
    part_id: str
    vendor_id: str
    product_id: str
    quantity: int
    unit_price_amount: int
    line_amount: int
    commission_amount: int
    claimed_quantity: int = 0
    claimed_amount: int = 0
    claimed_commission: int = 0
    refunded_quantity: int = 0  # recorded: refunds that succeeded

    @property
    def quantity_left(self) -> int:
        return self.quantity - self.claimed_quantity


@dataclass(frozen=True)
class RefundableOrder:
    """An order with its parts' statuses and lines, and what its payment took."""

    id: str
    buyer_id: str
    status: str
    paid_amount: int
    claimed_amount: int
    part_statuses: dict[str, str]
    lines: tuple[OrderLine, ...]

    def vendors(self) -> frozenset[str]:
        return frozenset(line.vendor_id for line in self.lines)


@dataclass(frozen=True)
class LineRequest:
    line_id: str
    quantity: int


@dataclass(frozen=True)
class RefundLine:
    """What one refund gives back of one line."""

    line_id: str
    part_id: str
    vendor_id: str
    product_id: str
    quantity: int
    amount: int
    commission_returned: int


@dataclass(frozen=True)
class PartShare:
    """What a refund takes from one vendor's part: the money and the commission returned."""

    part_id: str
    vendor_id: str
    amount: int
    commission_returned: int


@dataclass(frozen=True)
class RefundPlan:
    lines: tuple[RefundLine, ...]

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)

    def parts(self) -> tuple[PartShare, ...]:
        return parts_of(self.lines)


def parts_of(lines: Iterable[RefundLine]) -> tuple[PartShare, ...]:
    """The refund's lines summed per part, in part-id order."""
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for line in lines:
        amount, commission = totals.get((line.part_id, line.vendor_id), (0, 0))
        totals[(line.part_id, line.vendor_id)] = (amount + line.amount,
                                                 commission + line.commission_returned)
    return tuple(PartShare(part, vendor, amount, commission)
                 for (part, vendor), (amount, commission) in sorted(totals.items()))


@dataclass(frozen=True)
class OrderRefund:
    """A refund as recorded: requested, then succeeded or failed."""

    id: str
    order_id: str
    kind: RefundKind
    status: RefundStatus
    amount: int
    commission_returned: int
    reason: str
    requested_by: str
    requester_role: str
    lines: tuple[RefundLine, ...]
    provider_refund_ref: str | None = None
    failure_reason: str | None = None
    execution_name: str | None = None

    def parts(self) -> tuple[PartShare, ...]:
        return parts_of(self.lines)


def refund_scope(principal: Principal, order: RefundableOrder) -> tuple[OrderLine, ...]:
    """The lines the caller may refund: an admin any, a vendor its own part's; NotFound for a
    vendor with no part in the order (it cannot see it), Forbidden for a buyer (it cancels)."""
    if principal.role is Role.ADMIN:
        return order.lines
    if principal.role is Role.VENDOR:
        own = tuple(line for line in order.lines if line.vendor_id == principal.account_id)
        if not own:
            raise NotFound("No such order.")
        return own
    raise Forbidden("Buyers cancel an order (POST /v1/orders/{id}:cancel); refunds are made "
                    "by the vendor or an admin.")


def plan_refund(order: RefundableOrder, scope: Sequence[OrderLine],
                requested: Sequence[LineRequest] | None) -> RefundPlan:
    """What a refund of `requested` (None: everything left in scope) gives back.

    Raises OrderNotPaid / NothingToRefund (409), InvalidRequest for a line outside the scope
    or named twice, RefundExceedsPaid (422) for more than a line or the order has left."""
    if order.status in UNPAID:
        raise OrderNotPaid(f"The order is {order.status}: nothing was paid to refund.")
    if order.status not in REFUNDABLE or not any(line.quantity_left for line in scope):
        raise NothingToRefund()
    if requested is None:
        wanted = [(line, line.quantity_left) for line in scope if line.quantity_left]
    else:
        wanted = _requested_lines(scope, requested)
    plan = RefundPlan(tuple(line_refund(line, quantity) for line, quantity in wanted))
    left = order.paid_amount - order.claimed_amount
    if plan.amount > left:
        raise RefundExceedsPaid(f"The order has {left} left to refund, not {plan.amount}.",
                                amount_left=left)
    return plan


def _requested_lines(scope: Sequence[OrderLine], requested: Sequence[LineRequest]
                     ) -> list[tuple[OrderLine, int]]:
    by_id = {line.id: line for line in scope}
    seen: set[str] = set()
    wanted = []
    for index, item in enumerate(requested):
        line = by_id.get(item.line_id)
        if line is None:
            raise InvalidRequest.at(f"lines[{index}].line_id",
                                    "no such line in the part of the order you may refund")
        if item.line_id in seen:
            raise InvalidRequest.at(f"lines[{index}].line_id", "names a line twice")
        seen.add(item.line_id)
        if item.quantity > line.quantity_left:
            raise RefundExceedsPaid(
                f"Line {line.id} has {line.quantity_left} left to refund, not {item.quantity}.",
                line_id=line.id, quantity_left=line.quantity_left)
        wanted.append((line, item.quantity))
    return wanted


def line_refund(line: OrderLine, quantity: int) -> RefundLine:
    """`quantity` more of the line: the money and commission of that share of it, as the
    cumulative share less what earlier refunds took (the last one takes what is left)."""
    if not 0 < quantity <= line.quantity_left:
        raise ValueError(f"refund 1..{line.quantity_left} of line {line.id}, not {quantity}")
    upto = line.claimed_quantity + quantity
    amount = half_even_share(line.line_amount, upto, line.quantity) - line.claimed_amount
    commission = (half_even_share(line.commission_amount, upto, line.quantity)
                  - line.claimed_commission)
    return RefundLine(line.id, line.part_id, line.vendor_id, line.product_id, quantity,
                      max(0, amount), max(0, commission))


class CancelAction(str, enum.Enum):
    VOID_PAYMENT = "void_payment"  # not paid yet: cancel the payment, release the reservation
    WITHDRAW_HELD = "withdraw_held"  # held for a fraud review: void the authorization, release
    REFUND = "refund"  # paid, nothing shipped: refund everything left, return the stock
    NONE = "none"  # already cancelled: answer the order as it is


def cancel_action(principal: Principal, order: RefundableOrder) -> CancelAction:
    """What the buyer's cancel does; NotFound for anyone else, 409 once a part has shipped
    (OrderAlreadyShipped) or when nothing is left to cancel."""
    if principal.account_id != order.buyer_id:
        raise NotFound("No such order.")
    if order.status == "cancelled":
        return CancelAction.NONE
    if order.status == "pending_payment":
        return CancelAction.VOID_PAYMENT
    if order.status == "pending_review":
        return CancelAction.WITHDRAW_HELD
    if order.status in SHIPPED or SHIPPED & set(order.part_statuses.values()):
        raise OrderAlreadyShipped()
    if order.status == "payment_failed":
        raise OrderNotPaid("The payment failed: there is nothing to cancel.")
    if order.status != "paid" or not any(line.quantity_left for line in order.lines):
        raise NothingToRefund("Everything paid was refunded already.")
    return CancelAction.REFUND


def parts_fully_refunded(lines: Iterable[OrderLine], refund: Iterable[RefundLine]) -> list[str]:
    """The parts whose every line is refunded once `refund` is recorded."""
    adding: dict[str, int] = {}
    for item in refund:
        adding[item.line_id] = adding.get(item.line_id, 0) + item.quantity
    by_part: dict[str, bool] = {}
    for line in lines:
        done = line.refunded_quantity + adding.get(line.id, 0) >= line.quantity
        by_part[line.part_id] = by_part.get(line.part_id, True) and done
    return sorted(part for part, done in by_part.items() if done)


def statuses_after(order_status: str, part_statuses: dict[str, str],
                   fully_refunded_parts: Iterable[str]) -> tuple[dict[str, str], str]:
    """Part and order statuses once a refund is recorded: a part whose every line is refunded
    is `refunded`, and the order follows its parts (common/domain/orders.py): `refunded`
    once every part is, shipped or delivered when every live part is, else as it was."""
    parts = dict(part_statuses)
    for part_id in fully_refunded_parts:
        parts[part_id] = PartStatus.REFUNDED.value
    status = order_status_from_parts(OrderStatus(order_status),
                                     [PartStatus(value) for value in parts.values()])
    return parts, status.value
