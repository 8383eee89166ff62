"""Mail what an order event calls for: the buyer on order.paid, order.payment_failed,
order.cancelled and order.part_shipped, and each vendor of a paid order its part.

An event may call for several mails. Each is claimed once per (event, addressee) in a
transaction of its own that commits right after the mail went out, so a retry after one
failed send sends only the mails that did not go (docs/decisions/0017).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Protocol

from common.domain import order_mails as templates
from common.domain.events import (
    Event,
    OrderCancelled,
    OrderPaid,
    OrderPartShipped,
    OrderPaymentFailed,
)
from common.domain.identity import Account
from common.domain.notifications import Mail
from common.domain.order_mails import MailedOrder
from common.logs import log
from common.ports.identity import Accounts
from common.ports.messaging import Inbox, Mailer, OrderMailReads

logger = logging.getLogger("bazaar.notifications")
ORDER_EVENTS = (OrderPaid, OrderPaymentFailed, OrderCancelled, OrderPartShipped)
MAIL_CLAIMS = "send_notification/mail"  # the inbox's consumer name of single mails


class NotificationsTransaction(Protocol):
    @property
    def accounts(self) -> Accounts: ...

    @property
    def inbox(self) -> Inbox: ...

    @property
    def order_mails(self) -> OrderMailReads: ...

    def commit(self) -> None: ...


def order_mails(event: Event, tx: NotificationsTransaction) -> list[Mail]:
    """The mails this order event calls for (none for an order or account that is gone)."""
    order = tx.order_mails.order(getattr(event, "order_id", ""))
    buyer = tx.accounts.get(order.buyer_id) if order else None
    if order is None or buyer is None:
        return []
    mails = [_buyer_mail(event, order, buyer, tx)]
    if isinstance(event, OrderPaid):
        mails += _vendor_mails(event, order, tx)
    return [mail for mail in mails if mail is not None]


def _buyer_mail(event: Event, order: MailedOrder, buyer: Account,
                tx: NotificationsTransaction) -> Mail | None:
    to, name, order_id = buyer.email, buyer.name, order.order_id
    if isinstance(event, OrderPaid):
        return templates.order_confirmation_mail(to, name, order, event.id)
    if isinstance(event, OrderPaymentFailed):
        return templates.payment_failed_mail(to, name, order_id, buyer.id, event.reason,
                                             event.id)
    if isinstance(event, OrderCancelled):
        return templates.order_cancelled_mail(to, name, order_id, buyer.id,
                                              event.refunded_amount, event.id)
    if isinstance(event, OrderPartShipped):
        part, vendor = order.part(event.part_id), tx.accounts.get(event.vendor_id)
        if part is None or vendor is None:
            return None
        return templates.part_shipped_mail(to, name, order_id, buyer.id, vendor.name, part,
                                           event.id)
    return None


def _vendor_mails(event: OrderPaid, order: MailedOrder,
                  tx: NotificationsTransaction) -> list[Mail | None]:
    mails: list[Mail | None] = []
    for part in order.parts:
        vendor = tx.accounts.get(part.vendor_id)
        mails.append(templates.vendor_sale_mail(vendor.email, vendor.name, order.order_id,
                                                part, event.id) if vendor else None)
    return mails


def notify_order(event: Event, tx: NotificationsTransaction, *, mailer: Mailer,
                 each_mail: Callable[[], Any]) -> int:
    """Send the event's mails, each at most once; how many went out now."""
    sent = 0
    for mail in order_mails(event, tx):
        with each_mail() as claim:
            if not claim.inbox.claim(MAIL_CLAIMS, mail.dedup_id):
                continue
            mailer.send(mail)
            claim.commit()
        sent += 1
    log(logger, logging.INFO, "order mails sent", order_id=getattr(event, "order_id", None),
        type=event.type, sent=sent)
    return sent
