"""The promoted feed's request and response (GET /v1/feed/promoted)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from common.api.catalog_schemas import ProductSummary
from common.api.schemas import Out, Strict

MAX_PAGE_SIZE = 50


class FeedQuery(Strict):
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 10


class FeedItem(Out):
    product: ProductSummary
    promotion_id: str
    score: float = Field(description="Higher is shown first; comparable within one page only.")
    reason: str = Field(description='Why it is shown, for the client to display: '
                                    '"because you viewed Audio", "popular right now", "new", …')
    item_factor: list[float] | None = Field(
        description="The product's factor in the model of `model_version` (null when the "
                    "model has none), so that a device re-ranks with its own user factor.")


class PromotedFeed(Out):
    items: list[FeedItem]
    model_version: int | None = Field(
        description="The federated model version the scores used (null before the first).")
