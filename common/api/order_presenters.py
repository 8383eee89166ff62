"""Orders as the API shows them (common/api/order_schemas.py)."""

from __future__ import annotations

from common.api import order_schemas as s
from common.api.catalog_schemas import Money
from common.domain.order_records import Order, Payment


def money(amount: int, currency: str = "EUR") -> Money:
    return Money(amount=amount, currency=currency)


def order(found: Order) -> s.OrderView:
    return s.OrderView(
        id=found.id, status=found.status.value, total=money(found.total, found.currency),
        payment=payment(found, found.payment), shipping_address=found.shipping_address,
        failure_reason=found.failure_reason,
        reservation_expires_at=found.reservation_expires_at, created_at=found.created_at,
        paid_at=found.paid_at,
        parts=[s.OrderPartView(
            id=p.id, vendor_id=p.vendor_id, status=p.status.value, subtotal=money(p.subtotal),
            commission=money(p.commission), tracking=p.tracking,
            lines=[s.OrderLineView(
                id=line.id, product_id=line.product_id, product_name=line.product_name,
                quantity=line.quantity, unit_price=money(line.unit_price),
                line_total=money(line.line_amount), commission=money(line.commission),
                refunded_quantity=line.refunded_quantity,
                refunded=money(line.refunded_amount)) for line in p.lines])
            for p in found.parts],
        steps=[s.OrderStepView(step=st.step, at=st.at, part_id=st.part_id, detail=st.detail)
               for st in found.steps])


def payment(found: Order, paid: Payment) -> s.PaymentView:
    """The payment; its next action only while the order waits for the buyer."""
    action = paid.next_action if found.status.value == "pending_payment" else None
    return s.PaymentView(
        id=paid.id, method=paid.method, status=paid.status, amount=money(paid.amount),
        amount_received=money(paid.amount_received), decline_code=paid.decline_code,
        next_action=_next_action(action, found) if action else None)


def _next_action(action: dict, found: Order) -> s.NextAction:
    if action["type"] != "bank_transfer_instructions":
        return s.NextAction(type=action["type"], url=action["url"])
    return s.NextAction(
        type="bank_transfer_instructions", iban=action["iban"], bic=action["bic"],
        reference=action["reference"],
        amount_remaining=money(int(action.get("amount_remaining", found.total))),
        expires_at=found.reservation_expires_at)
