"""Pydantic models of cancellations and refunds (shared/api.md, "Orders and payments":
POST /v1/orders/{id}:cancel and :refund), and their presenters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from common.api.catalog_schemas import Money, Uuid
from common.api.fields import Text
from common.api.schemas import Out, Strict
from common.domain.refunds import LineRequest, OrderRefund

Quantity = Annotated[StrictInt, Field(ge=1, le=1000)]


class RefundLineRequest(Strict):
    line_id: Uuid
    quantity: Quantity


class RefundOrder(Strict):
    """No `lines`: everything left of what the caller may refund (an admin: the order; a
    vendor: its part)."""

    lines: Annotated[list[RefundLineRequest], Field(min_length=1, max_length=50)] | None = None
    reason: Annotated[str, Text(1, 500)]

    def line_requests(self) -> list[LineRequest] | None:
        if self.lines is None:
            return None
        return [LineRequest(line.line_id, line.quantity) for line in self.lines]


class RefundedLine(Out):
    line_id: str
    part_id: str
    quantity: int
    amount: Money
    commission_returned: Money


class Refund(Out):
    """`requested` until the provider gave the money back (`succeeded`) or refused (`failed`)."""

    id: str
    order_id: str
    kind: Literal["refund", "cancel"]
    status: Literal["requested", "succeeded", "failed"]
    amount: Money
    commission_returned: Money
    lines: list[RefundedLine]


class CancelledOrder(Out):
    """The order after the cancel; a paid one carries the refund of everything left."""

    id: str
    status: str
    refund: Refund | None


def _money(amount: int) -> Money:
    return Money(amount=amount, currency="EUR")


def refund(given: OrderRefund) -> Refund:
    return Refund(
        id=given.id, order_id=given.order_id, kind=given.kind.value, status=given.status.value,
        amount=_money(given.amount), commission_returned=_money(given.commission_returned),
        lines=[RefundedLine(line_id=line.line_id, part_id=line.part_id, quantity=line.quantity,
                            amount=_money(line.amount),
                            commission_returned=_money(line.commission_returned))
               for line in given.lines])


def cancelled_order(order_id: str, status: str, given: OrderRefund | None) -> CancelledOrder:
    return CancelledOrder(id=order_id, status=status,
                          refund=refund(given) if given else None)
