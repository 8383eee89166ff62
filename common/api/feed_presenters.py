"""The promoted feed as the contract shows it."""

from __future__ import annotations

from common.api import feed_schemas as fs
from common.api.catalog_presenters import summary
from common.services.promoted_feed import FeedPage


def feed(page: FeedPage, base_url: str) -> fs.PromotedFeed:
    return fs.PromotedFeed(
        items=[fs.FeedItem(product=summary(entry.product, base_url),
                           promotion_id=entry.item.candidate.promotion_id,
                           score=entry.item.score, reason=entry.item.reason,
                           item_factor=(list(entry.item.item_factor)
                                        if entry.item.item_factor is not None else None))
               for entry in page.entries],
        model_version=page.model_version)
