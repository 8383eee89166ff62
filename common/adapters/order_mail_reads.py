"""PostgresOrderMails: the few columns of an order its mails show (ids, amounts, product
names, quantities, tracking; no address, no payment), inside the notifier's transaction."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import text

from common.adapters.unit_of_work import UnitOfWork
from common.domain.order_mails import MailedLine, MailedOrder, MailedPart

_PARTS = """
SELECT o.id AS order_id, o.buyer_id, o.total_amount, p.id, p.vendor_id, p.subtotal_amount,
       p.commission_amount, p.tracking
FROM orders o JOIN order_parts p ON p.order_id = o.id WHERE o.id = :id ORDER BY p.id"""
_LINES = """
SELECT part_id, product_name, quantity, unit_price_amount, line_amount FROM order_lines
WHERE order_id = :id ORDER BY product_name, id"""


class PostgresOrderMails:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def order(self, order_id: str) -> MailedOrder | None:
        parts = self._db.execute(text(_PARTS), {"id": order_id}).all()
        if not parts:
            return None
        lines: dict[str, list[MailedLine]] = {}
        for row in self._db.execute(text(_LINES), {"id": order_id}):
            lines.setdefault(str(row.part_id), []).append(MailedLine(
                row.product_name, row.quantity, row.unit_price_amount, row.line_amount))
        return MailedOrder(str(parts[0].order_id), str(parts[0].buyer_id),
                           parts[0].total_amount, tuple(
                               MailedPart(str(p.id), str(p.vendor_id), p.subtotal_amount,
                                          p.commission_amount, p.tracking,
                                          tuple(lines.get(str(p.id), ())))
                               for p in parts))


class NotificationsUnitOfWork(UnitOfWork):
    """The common unit of work (accounts, inbox) plus what order mails read."""

    def __enter__(self) -> "NotificationsUnitOfWork":
        super().__enter__()
        self.order_mails = PostgresOrderMails(self.connection)
        return self
