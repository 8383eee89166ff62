"""The mails an order event calls for, what they say, and that each goes out once even when
the relay fails between two of them."""

from __future__ import annotations

import pytest

from common.domain import order_mails as templates
from common.domain.errors import ServiceUnavailable
from common.domain.events import (
    OrderCancelled,
    OrderPaid,
    OrderPartShipped,
    OrderPaymentFailed,
    OrderPlaced,
    PaidPart,
)
from common.domain.identity import Role
from common.domain.notifications import Mail
from common.domain.order_mails import MailedLine, MailedOrder, MailedPart
from common.services.order_notifications import notify_order, order_mails
from tests.unit.fakes import FakeDatabase, FakeMailer
from tests.unit.given import given_account, new_id


class FakeOrderMails:
    def __init__(self, *orders: MailedOrder) -> None:
        self._orders = {order.order_id: order for order in orders}

    def order(self, order_id: str) -> MailedOrder | None:
        return self._orders.get(order_id)


class MailerDownFor(FakeMailer):
    """The relay refuses mail to one address until healed."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.down_for: str | None = address

    def send(self, mail: Mail) -> None:
        if mail.to == self.down_for:
            raise ServiceUnavailable("smtp")
        super().send(mail)


def _two_vendor_order(db: FakeDatabase) -> tuple[MailedOrder, list]:
    buyer = given_account(db)
    vendors = [given_account(db, Role.VENDOR), given_account(db, Role.VENDOR)]
    parts = tuple(MailedPart(new_id(), vendor.id, 2000 * n, 200 * n, None,
                             (MailedLine(f"Lamp {n}", n, 2000, 2000 * n),))
                  for n, vendor in enumerate(vendors, start=1))
    return MailedOrder(new_id(), buyer.id, 6000, parts), [buyer, *vendors]


def _paid(order: MailedOrder) -> OrderPaid:
    return OrderPaid(order_id=order.order_id, buyer_id=order.buyer_id, payment_id=new_id(),
                     total=order.total, parts=tuple(PaidPart(p.part_id, p.vendor_id,
                                                             p.subtotal, p.commission)
                                                    for p in order.parts))


def _mails(db: FakeDatabase, order: MailedOrder, event) -> list[Mail]:  # noqa: ANN001
    with db.unit_of_work() as tx:
        tx.order_mails = FakeOrderMails(order)
        return order_mails(event, tx)


def test_a_paid_order_mails_the_buyer_everything_and_each_vendor_its_part():
    db = FakeDatabase()
    order, (buyer, first, second) = _two_vendor_order(db)
    event = _paid(order)

    mails = _mails(db, order, event)

    assert mails == [
        templates.order_confirmation_mail(buyer.email, buyer.name, order, event.id),
        templates.vendor_sale_mail(first.email, first.name, order.order_id, order.parts[0],
                                   event.id),
        templates.vendor_sale_mail(second.email, second.name, order.order_id,
                                   order.parts[1], event.id)]
    assert len({mail.dedup_id for mail in mails}) == 3
    assert "Subtotal: EUR 40.00\nPlatform commission: EUR 4.00\nYour share: EUR 36.00" \
        in mails[2].text


@pytest.mark.parametrize("make_event,subject", [
    (lambda o: OrderPaymentFailed(order_id=o.order_id, buyer_id=o.buyer_id,
                                  reason="payment_timeout"), "could not be paid"),
    (lambda o: OrderCancelled(order_id=o.order_id, buyer_id=o.buyer_id, refunded_amount=6000,
                              parts=()), "is cancelled"),
    (lambda o: OrderPartShipped(order_id=o.order_id, part_id=o.parts[1].part_id,
                                vendor_id=o.parts[1].vendor_id), "is on its way"),
], ids=["payment-failed", "cancelled", "part-shipped"])
def test_other_order_news_mails_only_the_buyer(make_event, subject):
    db = FakeDatabase()
    order, (buyer, *_) = _two_vendor_order(db)

    [mail] = _mails(db, order, make_event(order))

    assert (mail.to, subject in mail.subject, order.order_id in mail.text) == (
        buyer.email, True, True)


def test_the_mail_texts_say_what_happened():
    part = MailedPart("p", "v", 3000, 300, "DHL-1", (MailedLine("Rug", 2, 1500, 3000),))
    order = MailedOrder("o-1", "b", 3000, (part,))

    failed = templates.payment_failed_mail("a@x", "Ada", "o-1", "b", "payment_declined",
                                          new_id())
    refunded = templates.order_cancelled_mail("a@x", "Ada", "o-1", "b", 123456, new_id())
    shipped = templates.part_shipped_mail("a@x", "Ada", "o-1", "b", "Rugs Ltd", part, new_id())

    assert "your payment was declined. Nothing was charged" in failed.text
    assert "We refunded EUR 1,234.56 to the way you paid." in refunded.text
    assert "Rugs Ltd shipped its part of your order o-1:\n\n  2 × Rug at EUR 15.00: " \
        "EUR 30.00\n\nTracking: DHL-1" in shipped.text
    assert templates.order_confirmation_mail("a@x", "Ada", order, new_id()).text.count(
        "Total: EUR 30.00") == 1


def test_an_event_of_an_unknown_order_or_of_no_mail_sends_nothing():
    db = FakeDatabase()
    order, _ = _two_vendor_order(db)

    assert _mails(db, order, OrderPlaced(order_id=order.order_id, buyer_id=order.buyer_id,
                                         total=6000)) == []
    assert _mails(db, order, OrderPaymentFailed(order_id=new_id(), buyer_id=order.buyer_id,
                                                reason="payment_failed")) == []


def test_a_retry_after_the_relay_failed_mid_way_sends_only_what_did_not_go():
    # Given a paid two-vendor order, and a relay that refuses the second vendor's mail
    db = FakeDatabase()
    order, (buyer, first, second) = _two_vendor_order(db)
    event, mailer = _paid(order), MailerDownFor(second.email)

    # When the event is handled, fails, and is delivered again once the relay is back
    with pytest.raises(ServiceUnavailable):
        with db.unit_of_work() as tx:
            tx.order_mails = FakeOrderMails(order)
            notify_order(event, tx, mailer=mailer, each_mail=db.unit_of_work)
    mailer.down_for = None
    with db.unit_of_work() as tx:
        tx.order_mails = FakeOrderMails(order)
        sent_on_retry = notify_order(event, tx, mailer=mailer, each_mail=db.unit_of_work)

    # Then every addressee got exactly one mail: the retry sent only the missing one
    assert [mail.to for mail in mailer.sent] == [buyer.email, first.email, second.email]
    assert sent_on_retry == 1
