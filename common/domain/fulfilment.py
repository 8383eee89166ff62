"""Shipping and delivery rules: a vendor ships its own paid part, the buyer (or the
delivery timeout) marks shipped parts delivered; the order's status follows its parts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

from common.domain.errors import NotFound, PartNotDeliverable, PartNotShippable
from common.domain.orders import OrderStatus, PartStatus, order_status_from_parts

MAX_TRACKING_CHARS = 200


@dataclass(frozen=True)
class Part:
    id: str
    vendor_id: str
    status: PartStatus
    tracking: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class FulfilmentOrder:
    """A paid order as shipping and delivery see it."""

    id: str
    buyer_id: str
    status: OrderStatus
    parts: tuple[Part, ...]

    def part_of_vendor(self, vendor_id: str) -> Part:
        """The vendor's part; NotFound when the vendor has none here (not its order)."""
        for part in self.parts:
            if part.vendor_id == vendor_id:
                return part
        raise NotFound("No order of yours has this id.")

    def with_parts(self, changed: Iterable[Part]) -> "FulfilmentOrder":
        """The order with these parts replaced, its status derived from all parts again."""
        by_id = {part.id: part for part in changed}
        parts = tuple(by_id.get(part.id, part) for part in self.parts)
        status = order_status_from_parts(self.status, [part.status for part in parts])
        return replace(self, parts=parts, status=status)


def ship(order: FulfilmentOrder, vendor_id: str, tracking: str | None, at: datetime) -> Part:
    """The vendor's part shipped; PartNotShippable unless it is paid (not yet shipped)."""
    part = order.part_of_vendor(vendor_id)
    if part.status is not PartStatus.PAID:
        raise PartNotShippable(f"This part is {part.status.value}: only a paid part ships.")
    return replace(part, status=PartStatus.SHIPPED, tracking=tracking, shipped_at=at)


def deliver(order: FulfilmentOrder, buyer_id: str, part_id: str | None,
            at: datetime) -> tuple[Part, ...]:
    """The buyer's shipped parts (or the one named) delivered; NotFound for someone else's
    order or an unknown part, PartNotDeliverable when nothing named is on its way."""
    if order.buyer_id != buyer_id:
        raise NotFound("No order of yours has this id.")
    if part_id is not None:
        named = [part for part in order.parts if part.id == part_id]
        if not named:
            raise NotFound("This order has no such part.")
        if named[0].status is not PartStatus.SHIPPED:
            raise PartNotDeliverable(f"This part is {named[0].status.value}: only a shipped "
                                     "part can be delivered.")
        return (_delivered(named[0], at),)
    shipped = [part for part in order.parts if part.status is PartStatus.SHIPPED]
    if not shipped:
        raise PartNotDeliverable("No part of this order is on its way.")
    return tuple(_delivered(part, at) for part in shipped)


def _delivered(part: Part, at: datetime) -> Part:
    return replace(part, status=PartStatus.DELIVERED, delivered_at=at)


def delivery_due(shipped_at: datetime, now: datetime, auto_delivery_days: int) -> bool:
    """A shipped part counts as delivered this many days after it shipped."""
    return now - shipped_at >= timedelta(days=auto_delivery_days)


def overdue_deliveries(order: FulfilmentOrder, now: datetime,
                       auto_delivery_days: int) -> tuple[Part, ...]:
    """The order's shipped parts whose delivery is due by the timeout, delivered."""
    return tuple(_delivered(part, now) for part in order.parts
                 if part.status is PartStatus.SHIPPED and part.shipped_at is not None
                 and delivery_due(part.shipped_at, now, auto_delivery_days))
