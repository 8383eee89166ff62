"""An order as stored (parts, lines, payment, steps), and the rules of its payment's state:
it only moves forward, and which states are an outcome the purchase saga acts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common.domain.orders import OrderStatus, PartStatus
from common.domain.payments import PaymentStatus, ProviderEventType

# A payment's states in the order they happen; a later report never moves one backwards
# (a `requires_action` webhook delivered after `succeeded` changes nothing).
CREATING = "creating"
_RANK = {CREATING: 0, "requires_action": 1, "processing": 2, "authorized": 3,
         "succeeded": 4, "failed": 4, "canceled": 4}
# What a provider event says the payment's state is now.
EVENT_STATUS = {
    ProviderEventType.PAYMENT_REQUIRES_ACTION: "requires_action",
    ProviderEventType.PAYMENT_PARTIALLY_FUNDED: "requires_action",
    ProviderEventType.PAYMENT_PROCESSING: "processing",
    ProviderEventType.PAYMENT_AUTHORIZED: "authorized",
    ProviderEventType.PAYMENT_SUCCEEDED: "succeeded",
    ProviderEventType.PAYMENT_FAILED: "failed",
    ProviderEventType.PAYMENT_CANCELED: "canceled",
}
# Events the waiting saga is told about (the rest are only recorded).
CALLBACK_EVENTS = frozenset({
    ProviderEventType.PAYMENT_SUCCEEDED, ProviderEventType.PAYMENT_AUTHORIZED,
    ProviderEventType.PAYMENT_FAILED, ProviderEventType.PAYMENT_CANCELED,
    ProviderEventType.PAYMENT_PARTIALLY_FUNDED})


def moves_forward(current: str, new: str, received_before: int, received_now: int) -> bool:
    """Whether a report of `new` (with `received_now`) is news about a payment in `current`."""
    if current in ("succeeded", "failed", "canceled"):
        return False
    return _RANK[new] > _RANK[current] or (new == current and received_now > received_before)


def outcome_of(status: str) -> str | None:
    """`succeeded` (complete the order), `failed` (compensate), or None (keep waiting)."""
    if status in (PaymentStatus.SUCCEEDED.value, PaymentStatus.AUTHORIZED.value):
        return "succeeded"
    if status in (PaymentStatus.FAILED.value, PaymentStatus.CANCELED.value):
        return "failed"
    return None


@dataclass(frozen=True)
class OrderLine:
    id: str
    part_id: str
    product_id: str
    product_name: str
    quantity: int
    unit_price: int
    line_amount: int
    commission_rate_bp: int
    commission: int
    refunded_quantity: int
    refunded_amount: int


@dataclass(frozen=True)
class OrderPart:
    id: str
    vendor_id: str
    status: PartStatus
    subtotal: int
    commission: int
    tracking: str | None
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class Payment:
    id: str
    order_id: str
    provider_ref: str | None
    method: str
    amount: int
    status: str
    amount_received: int
    next_action: dict[str, Any] | None
    decline_code: str | None
    payment_method_token: str | None
    return_url: str | None
    callback_url: str | None

    @property
    def amount_remaining(self) -> int:
        return max(0, self.amount - self.amount_received)


@dataclass(frozen=True)
class OrderStep:
    step: str
    at: datetime
    part_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Order:
    id: str
    buyer_id: str
    status: OrderStatus
    currency: str
    total: int
    payment_method: str
    shipping_address: dict[str, Any]
    request_hash: str
    execution_name: str | None
    reservation_expires_at: datetime
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    parts: tuple[OrderPart, ...]
    payment: Payment
    steps: tuple[OrderStep, ...] = ()

    def for_vendor(self, vendor_id: str) -> Order:
        """What a vendor of the order sees: only its own part, and its subtotal as total."""
        from dataclasses import replace

        mine = tuple(part for part in self.parts if part.vendor_id == vendor_id)
        return replace(self, parts=mine, total=sum(part.subtotal for part in mine),
                       steps=tuple(s for s in self.steps
                                   if s.part_id is None or s.part_id in {p.id for p in mine}))
