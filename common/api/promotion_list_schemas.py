"""GET /v1/vendors/me/promotions: the vendor's promotions with what they cost and did
(shared/api.md, "Promotions and personalization"), and the presenter that builds it."""

from __future__ import annotations

from common.api import promotion_presenters
from common.api.catalog_schemas import Money
from common.api.promotion_schemas import PromotionView
from common.api.schemas import Out
from common.domain.promotions import CURRENCY
from common.ports.promotion_lifecycle import VendorPromotion


class VendorPromotionView(PromotionView):
    """A promotion with spend (fee − refunded), why it ended (cancelled, completed,
    product_unlisted, vendor_blocked), and the impressions and clicks counted so far."""

    spend: Money
    end_reason: str | None
    impressions: int
    clicks: int


class VendorPromotions(Out):
    """The vendor's promotions, newest first (the 100 newest)."""

    items: list[VendorPromotionView]


def vendor_promotions(listed: list[VendorPromotion]) -> VendorPromotions:
    return VendorPromotions(items=[_view(item) for item in listed])


def _view(item: VendorPromotion) -> VendorPromotionView:
    promotion = item.promotion
    spend = Money(amount=promotion.fee_amount - promotion.refunded_amount, currency=CURRENCY)
    return VendorPromotionView(
        **dict(promotion_presenters.promotion(promotion)), spend=spend,
        end_reason=promotion.end_reason, impressions=item.impressions, clicks=item.clicks)
