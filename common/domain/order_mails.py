"""What the order mails say: the buyer's confirmation, failed payment, cancellation and
shipment, and each vendor's sale. Plain values in, a Mail out; amounts in EUR minor units."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from common.domain.notifications import Mail


@dataclass(frozen=True)
class MailedLine:
    product_name: str
    quantity: int
    unit_price: int
    amount: int


@dataclass(frozen=True)
class MailedPart:
    """One vendor's part of an order, as its mails show it."""

    part_id: str
    vendor_id: str
    subtotal: int
    commission: int
    tracking: str | None
    lines: tuple[MailedLine, ...]


@dataclass(frozen=True)
class MailedOrder:
    order_id: str
    buyer_id: str
    total: int
    parts: tuple[MailedPart, ...]

    def part(self, part_id: str) -> MailedPart | None:
        return next((part for part in self.parts if part.part_id == part_id), None)


# Why a payment failed (the reasons fail_order is given), in the buyer's words.
FAILURE_REASONS = {
    "payment_declined": "your payment was declined",
    "payment_failed": "the payment did not go through",
    "payment_timeout": "the payment was not completed in time",
    "reservation_expired": "the payment did not arrive before the reservation ran out",
}


def mail_id(event_id: str, account_id: str) -> str:
    """One id per event and addressee: a mail is claimed, and recognised, by it."""
    return str(uuid.uuid5(uuid.UUID(event_id), account_id))


def eur(amount: int) -> str:
    """Minor units as the mail shows them: 1234567 → 'EUR 12,345.67'."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}EUR {whole:,}.{cents:02d}"


def _lines(lines: tuple[MailedLine, ...]) -> str:
    return "\n".join(f"  {line.quantity} × {line.product_name} at {eur(line.unit_price)}: "
                     f"{eur(line.amount)}" for line in lines)


def order_confirmation_mail(to: str, name: str, order: MailedOrder, event_id: str) -> Mail:
    lines = tuple(line for part in order.parts for line in part.lines)
    text = (
        f"Hello {name},\n\nthank you for your order {order.order_id}: we received your "
        f"payment.\n\n{_lines(lines)}\n\nTotal: {eur(order.total)}\n\nEach vendor ships "
        "its part; we will write to you when it is on its way.\n"
    )
    return Mail(to, "Your Bazaar order is confirmed", text, mail_id(event_id, order.buyer_id))


def vendor_sale_mail(to: str, name: str, order_id: str, part: MailedPart,
                     event_id: str) -> Mail:
    text = (
        f"Hello {name},\n\nyou sold something on Bazaar: order {order_id} is paid.\n\n"
        f"{_lines(part.lines)}\n\nSubtotal: {eur(part.subtotal)}\n"
        f"Platform commission: {eur(part.commission)}\n"
        f"Your share: {eur(part.subtotal - part.commission)}, paid out once the buyer has "
        "received the goods.\n\nPlease ship your part and mark it shipped in Bazaar.\n"
    )
    return Mail(to, f"New order {order_id} to ship", text, mail_id(event_id, part.vendor_id))


def payment_failed_mail(to: str, name: str, order_id: str, buyer_id: str, reason: str,
                        event_id: str) -> Mail:
    why = FAILURE_REASONS.get(reason, "the payment did not go through")
    text = (
        f"Hello {name},\n\nwe could not take the payment for your order {order_id}: {why}. "
        "Nothing was charged, and the goods were not kept for you.\n\nYou are welcome to "
        "order again with another payment method.\n"
    )
    return Mail(to, "Your Bazaar order could not be paid", text, mail_id(event_id, buyer_id))


def order_cancelled_mail(to: str, name: str, order_id: str, buyer_id: str,
                         refunded_amount: int, event_id: str) -> Mail:
    money = (f"We refunded {eur(refunded_amount)} to the way you paid."
             if refunded_amount > 0 else "Nothing was charged.")
    text = f"Hello {name},\n\nyour order {order_id} is cancelled. {money}\n"
    return Mail(to, "Your Bazaar order is cancelled", text, mail_id(event_id, buyer_id))


def part_shipped_mail(to: str, name: str, order_id: str, buyer_id: str, shop: str,
                      part: MailedPart, event_id: str) -> Mail:
    tracking = f"\n\nTracking: {part.tracking}" if part.tracking else ""
    text = (
        f"Hello {name},\n\n{shop} shipped its part of your order {order_id}:\n\n"
        f"{_lines(part.lines)}{tracking}\n\nPlease confirm in Bazaar once it has arrived.\n"
    )
    return Mail(to, f"Your Bazaar order {order_id} is on its way", text,
                mail_id(event_id, buyer_id))
