"""The promoted feed in PostgreSQL: active promotions with their products (one query), and
promotion_stats written with atomic increments (migration 0016)."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from typing import Any, Callable, Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.postgres_reviews import summary_from
from common.adapters.unit_of_work import UnitOfWork
from common.domain.catalog import ProductSummary
from common.domain.feed_ranking import Candidate
from common.domain.preferences import price_band
from common.ports.feed import ActivePromotions, Click, PromotedProduct, PromotedProducts

# How stale the feed's candidates may be: a promotion that ends (or whose product is unlisted)
# can be shown this much longer; 10,000 rows are read once per instance per period.
FEED_CANDIDATES_TTL_S = 2.0
_ACTIVE = text("""
    SELECT pr.id AS promotion_id, p.id, p.vendor_id, a.name AS vendor_name, p.name,
           p.price_amount, p.currency, p.category_id, c.name AS category_name,
           p.subcategory_id, sc.name AS subcategory_name, p.stock, p.created_at,
           r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5,
           thumb.renditions ->> 'thumbnail' AS thumbnail,
           COALESCE(st.impressions, 0) AS impressions, COALESCE(st.clicks, 0) AS clicks
    FROM promotions pr
    JOIN products p ON p.id = pr.product_id AND p.status = 'listed'
    JOIN accounts a ON a.id = pr.vendor_id AND a.state = 'active'
    JOIN categories c ON c.id = p.category_id
    JOIN subcategories sc ON sc.id = p.subcategory_id
    LEFT JOIN product_ratings r ON r.product_id = p.id
    LEFT JOIN LATERAL (
        SELECT renditions FROM product_images i
        WHERE i.product_id = p.id AND i.status = 'ready' ORDER BY i.created_at, i.id LIMIT 1
    ) thumb ON true
    LEFT JOIN LATERAL (
        SELECT sum(s.impressions) AS impressions, sum(s.clicks) AS clicks
        FROM promotion_stats s WHERE s.promotion_id = pr.id
    ) st ON true
    WHERE pr.status = 'active' AND pr.starts_at <= :now AND pr.ends_at > :now
""")

_IMPRESSIONS = text("""
    INSERT INTO promotion_stats (promotion_id, day, impressions)
    SELECT id, :day, 1 FROM promotions WHERE id = ANY(CAST(:ids AS uuid[]))
    ON CONFLICT (promotion_id, day)
    DO UPDATE SET impressions = promotion_stats.impressions + 1
""")

# A click counts for the promotion that was running on the product at the click's time:
# active then, whatever it is now (ended or cancelled since, the click still happened).
_CLICKS = text("""
    WITH counted AS (
        SELECT pr.id AS promotion_id, (c.at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
        FROM unnest(CAST(:products AS uuid[]), CAST(:ats AS timestamptz[])) AS c(product_id, at)
        JOIN promotions pr ON pr.product_id = c.product_id
             AND pr.status IN ('active', 'ended', 'cancelled')
             AND pr.starts_at <= c.at AND c.at < COALESCE(LEAST(pr.ended_at, pr.ends_at),
                                                         pr.ends_at)
        GROUP BY pr.id, day
    ), added AS (
        INSERT INTO promotion_stats (promotion_id, day, clicks)
        SELECT promotion_id, day, n FROM counted
        ON CONFLICT (promotion_id, day)
        DO UPDATE SET clicks = promotion_stats.clicks + excluded.clicks
        RETURNING 1
    )
    SELECT COALESCE(sum(n), 0) AS counted, (SELECT count(*) FROM added) AS rows FROM counted
""")


def _promoted(row: Any) -> PromotedProduct:
    candidate = Candidate(
        promotion_id=str(row.promotion_id), product_id=str(row.id),
        vendor_id=str(row.vendor_id), category_id=row.category_id,
        category_name=row.category_name, subcategory_id=row.subcategory_id,
        subcategory_name=row.subcategory_name, price_band=price_band(row.price_amount),
        impressions=int(row.impressions), clicks=int(row.clicks))
    product = ProductSummary(
        id=str(row.id), vendor_id=str(row.vendor_id), vendor_name=row.vendor_name,
        name=row.name, price_amount=row.price_amount, currency=row.currency,
        category_id=row.category_id, subcategory_id=row.subcategory_id, stock=row.stock,
        created_at=row.created_at, thumbnail=row.thumbnail, rating=summary_from(row))
    return PromotedProduct(candidate, product)


class PostgresPromotedProducts:
    """Reads on the engine, one pooled connection per call."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    def active(self, now: datetime) -> ActivePromotions:
        with translated_errors(), self._engine.connect() as connection:
            rows = connection.execute(_ACTIVE, {"now": now})
            return ActivePromotions(tuple(_promoted(row) for row in rows))


class CachedPromotedProducts:
    """The active promotions read at most once per `ttl_s` per instance: every request ranks
    all of them, and 10,000 rows per request would be most of its cost. Past `ttl_s` one
    request re-reads them while the others are answered from the previous read, so a
    promotion that ends (or whose product is unlisted) leaves the feed within about `ttl_s`
    plus one read."""

    def __init__(self, read: PromotedProducts, ttl_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read, self._ttl_s, self._clock = read, ttl_s, clock
        self._refreshing = threading.Lock()
        self._cached: tuple[float, ActivePromotions] | None = None

    def active(self, now: datetime) -> ActivePromotions:
        cached = self._cached
        if cached is not None and self._clock() - cached[0] < self._ttl_s:
            return cached[1]
        # Stale: one request re-reads; the others keep the previous read meanwhile.
        if cached is not None and not self._refreshing.acquire(blocking=False):
            return cached[1]
        if cached is None:
            self._refreshing.acquire()
        try:
            if self._cached is cached or self._cached is None:
                self._cached = (self._clock(), self._read.active(now))
            return self._cached[1]
        finally:
            self._refreshing.release()


class PostgresPromotionCounters:
    """Increments inside the caller's transaction (a consumer's, with its inbox claim)."""

    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def add_impressions(self, promotion_ids: Sequence[str], day: date) -> int:
        ids = sorted(set(promotion_ids))  # sorted: concurrent pages lock rows in one order
        if not ids:
            return 0
        with translated_errors():
            return self._db.execute(_IMPRESSIONS, {"ids": ids, "day": day}).rowcount

    def add_clicks(self, clicks: Sequence[Click]) -> int:
        if not clicks:
            return 0
        ordered = sorted(clicks, key=lambda c: (c.product_id, c.at))
        params = {"products": [c.product_id for c in ordered], "ats": [c.at for c in ordered]}
        with translated_errors():
            return int(self._db.execute(_CLICKS, params).one().counted)


class FeedUnitOfWork(UnitOfWork):
    """The common unit of work plus `counters` (the feed's consumers)."""

    def __enter__(self) -> "FeedUnitOfWork":
        super().__enter__()
        self.counters = PostgresPromotionCounters(self.connection)
        return self
