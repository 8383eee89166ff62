"""Pydantic models of shipping, delivery and vendors' money (shared/api.md, "Orders and
payments"; the onboarding link extends it: docs/decisions/0015)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from common.api.catalog_schemas import Money, Uuid
from common.api.fields import Text, absent
from common.api.schemas import Out, Strict
from common.domain.fulfilment import MAX_TRACKING_CHARS

PartStatus = Literal["pending_review", "pending_payment", "paid", "shipped", "delivered",
                     "cancelled", "refunded"]
OrderStatus = Literal["pending_review", "pending_payment", "paid", "shipped", "delivered",
                      "payment_failed", "cancelled", "refunded"]


class ShipOrder(Strict):
    """The carrier's tracking reference, if there is one."""

    tracking: Annotated[str, Text(1, MAX_TRACKING_CHARS)] = absent()


class DeliverOrder(Strict):
    """No part: every shipped part arrived; a part: only that one."""

    part_id: Uuid = absent()


class FulfilledPart(Out):
    id: str
    vendor_id: str
    status: PartStatus
    tracking: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None


class FulfilledOrder(Out):
    """The order's status and the parts the caller may see (a vendor: its own)."""

    id: str
    status: OrderStatus
    parts: list[FulfilledPart]


class VendorBalance(Out):
    """Sums over the vendor's ledger accounts: payable = sales − commission − refunds −
    transferred, the money the platform holds for the vendor."""

    sales: Money
    commission: Money
    refunds: Money
    transferred: Money
    payable: Money


class OnboardingLink(Out):
    """Single use and short-lived: ask for a new one when the vendor comes back."""

    url: str
    expires_at: datetime
