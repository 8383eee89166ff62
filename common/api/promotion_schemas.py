"""Pydantic models of the promotions API (shared/api.md, "Promotions and personalization";
docs/decisions/0021-promotions.md): quotes, buying and cancelling promotions, and the card
a vendor saves to pay them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt

from common.api.catalog_schemas import Money, Uuid
from common.api.fields import absent
from common.api.order_schemas import CardToken, HttpsUrl
from common.api.schemas import Out, Strict
from common.domain.promotions import LONGEST_DAYS

Days = Annotated[StrictInt, Field(ge=1, le=LONGEST_DAYS,
                                  description="Whole days (at most PROMOTION_MAX_DAYS).")]


class PromotionWanted(Strict):
    """`{days}` from now, or `{starts_at, days}` / `{starts_at, ends_at}` (an end that is not
    a whole number of days after the start is rounded up to the next whole day)."""

    days: Days = absent()
    starts_at: AwareDatetime = absent()
    ends_at: AwareDatetime = absent()


class QuoteQuery(Strict):
    """The product, and the schedule as for buying it (query strings: `days` a number)."""

    product_id: Uuid
    days: Annotated[int, Field(ge=1, le=LONGEST_DAYS)] = absent()
    starts_at: AwareDatetime = absent()
    ends_at: AwareDatetime = absent()


class PromotionQuote(Out):
    fee: Money
    daily_rate: Money
    days: int
    starts_at: datetime
    ends_at: datetime


class PromotionView(Out):
    """A promotion; `refunded`: what a cancellation (or an early end) gave back."""

    id: str
    product_id: str
    status: Literal["scheduled", "active", "ended", "cancelled"]
    starts_at: datetime
    ends_at: datetime
    days: int
    fee: Money
    daily_rate: Money
    paid_with: Literal["balance", "card"]
    refunded: Money
    ended_at: datetime | None


class SetupPaymentCard(Strict):
    """A card the client tokenized with the provider's SDK (locally a test id such as
    pm_card_visa); `return_url` where 3-D Secure sends the vendor back."""

    payment_method: CardToken
    return_url: HttpsUrl = absent()


class NextAction(Out):
    type: str
    url: str


class PaymentCardSetup(Out):
    """`ready`: fees can be charged to it; `requires_action`: authenticate at next_action."""

    status: Literal["ready", "requires_action"]
    setup_id: str
    next_action: NextAction | None
