"""Use cases of the promoted feed: rank the active promotions for one viewer (and publish
the page served), and count impressions and clicks (docs/decisions/0023-promoted-feed.md)."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, Sequence

from common.domain.catalog import ProductSummary
from common.domain.errors import ServiceUnavailable
from common.domain.events import FeedServed, InteractionsReceived
from common.domain.feed_candidates import FactorModel
from common.domain.feed_ranking import RankedItem, UserSignals, rank
from common.domain.identity import Principal
from common.domain.interactions import TYPE_WEIGHTS
from common.domain.preferences import Preferences, decay
from common.domain.pseudonyms import pseudonym
from common.logs import log
from common.ports.feed import Click, PromotedProducts, PromotionCounters
from common.ports.interactions import PreferenceReads
from common.ports.models import ModelStore

logger = logging.getLogger(__name__)


class EventPublisher(Protocol):
    def publish(self, event: FeedServed) -> None: ...


@dataclass(frozen=True)
class FeedEntry:
    item: RankedItem
    product: ProductSummary


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    model_version: int | None


def viewer_of(principal: Principal | None, device_id: str | None, key: bytes) -> str | None:
    """The viewer's pseudonym: the account's when signed in, else the device's, else None
    (an anonymous client without a device id gets the popularity feed)."""
    if principal is not None:
        return pseudonym("account", principal.account_id, key)
    return pseudonym("device", device_id, key) if device_id else None


def promoted_feed(viewer: str | None, page_size: int, *, now: datetime,
                  promoted: PromotedProducts, features: PreferenceReads, models: ModelStore,
                  publisher: EventPublisher) -> FeedPage:
    """One page of active promotions ranked for the viewer; the page served is published
    (feed.served) for the impression counts, best effort."""
    active = promoted.active(now)
    prefs = features.features_of(viewer) if viewer is not None else None
    model = _current(models)
    ranked = rank(active.pool, signals_of(prefs, now), model, page_size,
                  seed=seed_of(viewer, now))
    page = FeedPage([FeedEntry(item, active.by_promotion[item.candidate.promotion_id].product)
                     for item in ranked], model.version if model is not None else None)
    _publish_served(page, publisher, now)
    return page


def signals_of(prefs: Preferences | None, now: datetime) -> UserSignals:
    """The ranking's view of stored features: recent items weighted by type and recency."""
    if prefs is None:
        return UserSignals()
    recent: dict[str, float] = defaultdict(float)
    for item in prefs.recent:
        age = now - datetime.fromisoformat(item.at)
        recent[item.product_id] += TYPE_WEIGHTS.get(item.type, 1.0) * decay(age)
    return UserSignals(category_weights=prefs.category_weights,
                       vendor_weights=prefs.vendor_weights,
                       price_band_weights=prefs.price_band, recent=list(recent.items()),
                       bought=frozenset(prefs.bought))


def seed_of(viewer: str | None, now: datetime) -> int:
    """The exploration seed: one per viewer and minute, so a page is stable while browsing."""
    digest = hashlib.sha256(f"{viewer or 'anonymous'}:{now:%Y%m%d%H%M}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def count_impressions(event: FeedServed, counters: PromotionCounters) -> int:
    """One impression per promotion of a served page, on the (UTC) day it was served."""
    day = event.occurred_at.astimezone(timezone.utc).date()
    return counters.add_impressions(list(event.promotion_ids), day)


def count_clicks(event: InteractionsReceived, counters: PromotionCounters) -> int:
    """The batch's clicks on products, each counted for the promotion running at its time."""
    return counters.add_clicks(clicks_in(event))


def clicks_in(event: InteractionsReceived) -> Sequence[Click]:
    return [Click(i.product_id, datetime.fromisoformat(i.at)) for i in event.events
            if i.type == "click" and i.product_id]


def _current(models: ModelStore) -> FactorModel | None:
    """The current model, or None (the feed ranks by features alone) while it is unreadable."""
    try:
        return models.current()
    except ServiceUnavailable as error:
        log(logger, logging.WARNING, "feed served without the model",
            dependency=error.dependency)
        return None


def _publish_served(page: FeedPage, publisher: EventPublisher, now: datetime) -> None:
    """Publish the page's promotions; a Pub/Sub outage loses these impressions, not the page."""
    if not page.entries:
        return
    event = FeedServed(occurred_at=now, model_version=page.model_version,
                       promotion_ids=tuple(e.item.candidate.promotion_id for e in page.entries))
    try:
        publisher.publish(event)
    except ServiceUnavailable as error:
        log(logger, logging.WARNING, "feed.served not published",
            dependency=error.dependency)
