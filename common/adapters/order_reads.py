"""Reading orders: one order with its parts, lines, payment and steps; pages of orders for
a buyer, a vendor (orders holding one of its parts) or an admin, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

import sqlalchemy
from sqlalchemy import text

from common.domain.order_records import Order, OrderLine, OrderPart, OrderStep, Payment
from common.domain.orders import OrderStatus, PartStatus

_ORDER = """SELECT id, buyer_id, status, currency, total_amount, payment_method,
    shipping_address, request_hash, execution_name, reservation_expires_at, failure_reason,
    created_at, updated_at, paid_at FROM orders"""
_PAYMENT = """SELECT id, order_id, provider_ref, method, amount, status, amount_received,
    next_action, decline_code, payment_method_token, return_url, callback_url FROM payments"""


def read_order(db: sqlalchemy.Connection, order_id: str, *, steps: bool = True) -> Order | None:
    """The order and everything of it; None if there is no such order."""
    row = db.execute(text(_ORDER + " WHERE id = :id"), {"id": order_id}).first()
    if row is None:
        return None
    return _orders(db, [row], steps=steps)[0]


def read_page(db: sqlalchemy.Connection, *, buyer_id: str | None, vendor_id: str | None,
              after: tuple[datetime, str] | None, limit: int) -> list[Order]:
    """Up to `limit` orders newest first after the cursor, filtered to a buyer or vendor."""
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if buyer_id is not None:
        where.append("buyer_id = :buyer")
        params["buyer"] = buyer_id
    if vendor_id is not None:
        where.append("id IN (SELECT order_id FROM order_parts WHERE vendor_id = :vendor)")
        params["vendor"] = vendor_id
    if after is not None:
        where.append("(created_at, id) < (:at, CAST(:after AS uuid))")
        params.update(at=after[0], after=after[1])
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    rows = db.execute(text(f"{_ORDER}{clause} ORDER BY created_at DESC, id DESC LIMIT :limit"),
                      params).all()
    return _orders(db, rows, steps=False) if rows else []


def _orders(db: sqlalchemy.Connection, rows: Sequence[Any], *, steps: bool) -> list[Order]:
    ids = [str(row.id) for row in rows]
    bound = {"ids": ids}
    lines: dict[str, list[OrderLine]] = {}
    for r in db.execute(text(
            "SELECT id, part_id, product_id, product_name, quantity, unit_price_amount, "
            "line_amount, commission_rate_bp, commission_amount, refunded_quantity, "
            "refunded_amount FROM order_lines WHERE order_id = ANY(CAST(:ids AS uuid[])) "
            "ORDER BY product_id"), bound):
        lines.setdefault(str(r.part_id), []).append(OrderLine(
            str(r.id), str(r.part_id), str(r.product_id), r.product_name, r.quantity,
            r.unit_price_amount, r.line_amount, r.commission_rate_bp, r.commission_amount,
            r.refunded_quantity, r.refunded_amount))
    parts: dict[str, list[OrderPart]] = {}
    for r in db.execute(text(
            "SELECT id, order_id, vendor_id, status, subtotal_amount, commission_amount, "
            "tracking FROM order_parts WHERE order_id = ANY(CAST(:ids AS uuid[])) "
            "ORDER BY vendor_id"), bound):
        parts.setdefault(str(r.order_id), []).append(OrderPart(
            str(r.id), str(r.vendor_id), PartStatus(r.status), r.subtotal_amount,
            r.commission_amount, r.tracking, tuple(lines.get(str(r.id), ()))))
    payments = {str(r.order_id): _payment(r) for r in db.execute(
        text(_PAYMENT + " WHERE order_id = ANY(CAST(:ids AS uuid[]))"), bound)}
    history: dict[str, list[OrderStep]] = {}
    if steps:
        for r in db.execute(text(
                "SELECT order_id, part_id, step, detail, at FROM order_steps "
                "WHERE order_id = ANY(CAST(:ids AS uuid[])) ORDER BY id"), bound):
            history.setdefault(str(r.order_id), []).append(OrderStep(
                r.step, r.at, str(r.part_id) if r.part_id else None, dict(r.detail)))
    return [_order(row, tuple(parts.get(str(row.id), ())), payments[str(row.id)],
                   tuple(history.get(str(row.id), ()))) for row in rows]


def payment_row(db: sqlalchemy.Connection, payment_id: str, locking: str = "") -> Payment:
    return _payment(db.execute(text(_PAYMENT + " WHERE id = :id" + locking),
                               {"id": payment_id}).one())


def _payment(r: Any) -> Payment:
    return Payment(str(r.id), str(r.order_id), r.provider_ref, r.method, r.amount, r.status,
                   r.amount_received, r.next_action, r.decline_code, r.payment_method_token,
                   r.return_url, r.callback_url)


def _order(row: Any, parts: tuple[OrderPart, ...], payment: Payment,
           steps: tuple[OrderStep, ...]) -> Order:
    return Order(
        id=str(row.id), buyer_id=str(row.buyer_id), status=OrderStatus(row.status),
        currency=row.currency, total=row.total_amount, payment_method=row.payment_method,
        shipping_address=dict(row.shipping_address), request_hash=row.request_hash,
        execution_name=row.execution_name, reservation_expires_at=row.reservation_expires_at,
        failure_reason=row.failure_reason, created_at=row.created_at,
        updated_at=row.updated_at, paid_at=row.paid_at, parts=parts, payment=payment,
        steps=steps)
