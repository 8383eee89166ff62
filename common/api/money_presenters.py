"""Domain values of shipping, delivery and vendors' money as API responses."""

from __future__ import annotations

from common.api import money_schemas as ms
from common.api.catalog_schemas import Money
from common.domain.fulfilment import FulfilmentOrder
from common.domain.ledger import VendorBalance
from common.domain.payments import OnboardingLink


def fulfilled_order(order: FulfilmentOrder, *, vendor_id: str | None = None
                    ) -> ms.FulfilledOrder:
    """The order with every part, or only the vendor's own when a vendor asks."""
    parts = [part for part in order.parts if vendor_id is None or part.vendor_id == vendor_id]
    return ms.FulfilledOrder(id=order.id, status=order.status.value, parts=[
        ms.FulfilledPart(id=part.id, vendor_id=part.vendor_id, status=part.status.value,
                         tracking=part.tracking, shipped_at=part.shipped_at,
                         delivered_at=part.delivered_at) for part in parts])


def balance(figures: VendorBalance) -> ms.VendorBalance:
    def money(amount: int) -> Money:
        return Money(amount=amount, currency=figures.currency)

    return ms.VendorBalance(sales=money(figures.sales), commission=money(figures.commission),
                            refunds=money(figures.refunds),
                            transferred=money(figures.transferred),
                            payable=money(figures.payable))


def onboarding_link(link: OnboardingLink) -> ms.OnboardingLink:
    return ms.OnboardingLink(url=link.url, expires_at=link.expires_at)
