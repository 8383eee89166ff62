"""Ship and deliver: the vendor marks its part shipped, the buyer (or the delivery timeout)
marks shipped parts delivered; each change is a step of the order and an event
(`order.part_shipped`, `order.part_delivered`: the latter pays the vendor)."""

from __future__ import annotations

from datetime import timedelta

from common.domain import fulfilment as rules
from common.domain.errors import NotFound
from common.domain.events import OrderPartDelivered, OrderPartShipped
from common.domain.fulfilment import FulfilmentOrder, Part
from common.ports.ledger import MoneyUnitOfWork, MoneyUnitOfWorkFactory


def _locked_order(tx: MoneyUnitOfWork, order_id: str) -> FulfilmentOrder:
    order = tx.fulfilment.order(order_id, for_update=True)
    if order is None:
        raise NotFound("No order of yours has this id.")
    return order


def ship_part(vendor_id: str, order_id: str, tracking: str | None, *,
              uow: MoneyUnitOfWorkFactory) -> tuple[FulfilmentOrder, Part]:
    """The vendor's part of the order shipped (NotFound if it has none, PartNotShippable
    unless it is paid); the order as it is now and that part."""
    with uow() as tx:
        order = _locked_order(tx, order_id)
        part = rules.ship(order, vendor_id, tracking, tx.fulfilment.now())
        order = order.with_parts([part])
        tx.fulfilment.save(order, [part], "part_shipped")
        tx.record(OrderPartShipped(order_id=order_id, part_id=part.id, vendor_id=vendor_id))
        tx.commit()
    return order, part


def deliver_parts(buyer_id: str, order_id: str, part_id: str | None, *,
                  uow: MoneyUnitOfWorkFactory) -> FulfilmentOrder:
    """The buyer's shipped parts (or the one named) delivered; the order as it is now."""
    with uow() as tx:
        order = _locked_order(tx, order_id)
        delivered = rules.deliver(order, buyer_id, part_id, tx.fulfilment.now())
        order = _save_delivered(tx, order, delivered)
        tx.commit()
    return order


def _save_delivered(tx: MoneyUnitOfWork, order: FulfilmentOrder,
                    delivered: tuple[Part, ...]) -> FulfilmentOrder:
    order = order.with_parts(delivered)
    tx.fulfilment.save(order, delivered, "part_delivered")
    tx.record(*(OrderPartDelivered(order_id=order.id, part_id=part.id, vendor_id=part.vendor_id)
                for part in delivered))
    return order


def deliver_overdue_parts(*, uow: MoneyUnitOfWorkFactory, auto_delivery_days: int,
                          limit: int = 200) -> dict[str, int]:
    """The delivery timeout: parts shipped `auto_delivery_days` ago count as delivered."""
    with uow() as tx:
        now = tx.fulfilment.now()
        order_ids = tx.fulfilment.overdue_orders(now - timedelta(days=auto_delivery_days), limit)
    parts = 0
    for order_id in order_ids:
        with uow() as tx:
            order = _locked_order(tx, order_id)
            due = rules.overdue_deliveries(order, now, auto_delivery_days)
            if due:
                _save_delivered(tx, order, due)
                parts += len(due)
            tx.commit()
    return {"orders": len(order_ids), "parts_delivered": parts}
