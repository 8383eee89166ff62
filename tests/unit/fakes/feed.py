"""Fakes of the promoted feed's ports: active promotions, counters, features, the model, and
a publisher that can be down."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import numpy as np

from common.domain.errors import ServiceUnavailable
from common.domain.events import Event
from common.domain.preferences import Preferences
from common.ports.feed import ActivePromotions, Click, PromotedProduct
from common.ports.models import Model


class FakePromotedProducts:
    def __init__(self, offers: list[PromotedProduct]) -> None:
        self.offers = offers
        self.asked_at: list[datetime] = []

    def active(self, now: datetime) -> ActivePromotions:
        self.asked_at.append(now)
        return ActivePromotions(tuple(self.offers))


class FakePromotionCounters:
    """Counts per (promotion, day); `running` maps a product to (promotion, start, end)."""

    def __init__(self, running: dict[str, tuple[str, datetime, datetime]] | None = None) -> None:
        self.running = running or {}
        self.impressions: Counter[tuple[str, date]] = Counter()
        self.clicks: Counter[tuple[str, date]] = Counter()

    def add_impressions(self, promotion_ids, day: date) -> int:
        for promotion_id in set(promotion_ids):
            self.impressions[(promotion_id, day)] += 1
        return len(set(promotion_ids))

    def add_clicks(self, clicks: list[Click]) -> int:
        counted = 0
        for click in clicks:
            promotion = self.running.get(click.product_id)
            if promotion and promotion[1] <= click.at < promotion[2]:
                self.clicks[(promotion[0], click.at.date())] += 1
                counted += 1
        return counted


class FakePreferenceReads:
    def __init__(self, features: dict[str, Preferences] | None = None) -> None:
        self.features = features or {}

    def features_of(self, pseudonym: str) -> Preferences | None:
        return self.features.get(pseudonym)


class FakeModelStore:
    def __init__(self, model: Model | None = None, *, down: bool = False) -> None:
        self.model, self.down = model, down

    def current(self) -> Model | None:
        if self.down:
            raise ServiceUnavailable("model bucket")
        return self.model

    def get(self, version: int) -> Model:
        if self.model is None or self.model.version != version:
            raise KeyError(version)
        return self.model


def model_of(version: int, factors: dict[str, list[float]]) -> Model:
    ids = tuple(factors)
    matrix = np.array([factors[i] for i in ids], dtype=np.float64)
    return Model(version=version, dim=matrix.shape[1], item_ids=ids, item_factors=matrix,
                 hyper={})


class FakeEventPublisher:
    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.published: list[Event] = []

    def publish(self, event: Event) -> None:
        if self.down:
            raise ServiceUnavailable("Pub/Sub")
        self.published.append(event)
