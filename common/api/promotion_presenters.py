"""Promotions as the API shows them (common/api/promotion_schemas.py)."""

from __future__ import annotations

from common.api import promotion_schemas as ps
from common.api.catalog_schemas import Money
from common.domain.payments import CardSetup
from common.domain.promotions import CURRENCY, Promotion, Quote


def _money(amount: int) -> Money:
    return Money(amount=amount, currency=CURRENCY)


def quote(priced: Quote) -> ps.PromotionQuote:
    return ps.PromotionQuote(fee=_money(priced.fee), daily_rate=_money(priced.daily_rate),
                             days=priced.schedule.days, starts_at=priced.schedule.starts_at,
                             ends_at=priced.schedule.ends_at)


def promotion(p: Promotion) -> ps.PromotionView:
    return ps.PromotionView(id=p.id, product_id=p.product_id, status=p.status.value,
                            starts_at=p.starts_at, ends_at=p.ends_at, days=p.days,
                            fee=_money(p.fee_amount), daily_rate=_money(p.daily_rate),
                            paid_with=p.paid_with.value, refunded=_money(p.refunded_amount),
                            ended_at=p.ended_at)


def card_setup(setup: CardSetup) -> ps.PaymentCardSetup:
    action = (ps.NextAction(type=setup.next_action.type, url=setup.next_action.url)
              if setup.next_action else None)
    return ps.PaymentCardSetup(status="ready" if setup.succeeded else "requires_action",
                               setup_id=setup.setup_ref, next_action=action)
