"""Ranking of the promoted feed: which active promotions a user sees, in what order, and why.

Pure numpy, deterministic under a seed. A signed-in user's (or device's) vector is folded in
by ridge least squares from the model's item factors of the items it recently touched (the
user's own trained factor never leaves the device), blended with the real-time feature
affinity (category, vendor, price band), plus a small exploration bonus that shrinks with a
promotion's impressions (UCB-like), so new promotions get seen. A user with no signals gets
popularity (smoothed click-through rate) plus the same exploration. At most MAX_PER_VENDOR
items of one vendor per page, nothing the user bought.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from common.domain.feed_candidates import CandidatePool, FactorModel

MAX_PER_VENDOR = 2
RIDGE_LAMBDA = 0.1
# How much each signal counts in a personal score; the model's dot product is about 1 for
# an item like the recent ones, each affinity term is normalised to 0..1.
MODEL_WEIGHT, CATEGORY_WEIGHT, VENDOR_WEIGHT, PRICE_WEIGHT = 1.0, 1.0, 0.5, 0.25
EXPLORATION = 0.3  # the bonus of a never-shown promotion; it falls as 1/sqrt(1 + impressions)
JITTER = 0.01  # seeded tie-breaking noise, far below any real signal
NEW_IMPRESSIONS = 20  # a promotion shown fewer times than this is "new"
CTR_PRIOR_CLICKS, CTR_PRIOR_IMPRESSIONS = 1.0, 50.0
POPULARITY_WEIGHT = 5.0  # a smoothed CTR of 0.1 is worth 0.5


@dataclass(frozen=True)
class Candidate:
    """An active promotion with what the ranking reads of its product."""

    promotion_id: str
    product_id: str
    vendor_id: str
    category_id: str
    category_name: str
    subcategory_id: str
    subcategory_name: str
    price_band: str
    impressions: int = 0
    clicks: int = 0


@dataclass(frozen=True)
class UserSignals:
    """What the server knows of one pseudonym: feature weights, recent items, purchases."""

    category_weights: Mapping[str, float] = field(default_factory=dict)
    vendor_weights: Mapping[str, float] = field(default_factory=dict)
    price_band_weights: Mapping[str, float] = field(default_factory=dict)
    recent: Sequence[tuple[str, float]] = ()  # (product id, weight), most recent first
    bought: frozenset[str] = frozenset()

    @property
    def is_new(self) -> bool:
        """No signal at all: the feed falls back to popularity."""
        return not (self.category_weights or self.vendor_weights or self.recent)


@dataclass(frozen=True)
class ItemFactors:
    """A FactorModel from plain arrays: row `index[product_id]` of `factors` (items × dim)."""

    version: int
    index: Mapping[str, int]
    factors: np.ndarray

    @classmethod
    def of(cls, version: int, item_ids: Sequence[str], factors: np.ndarray) -> "ItemFactors":
        return cls(version, {item: row for row, item in enumerate(item_ids)},
                   np.asarray(factors, dtype=np.float64))

    def factor_of(self, product_id: str) -> np.ndarray | None:
        at = self.index.get(product_id)
        return None if at is None else self.factors[at]


@dataclass(frozen=True)
class RankedItem:
    candidate: Candidate
    score: float
    reason: str
    item_factor: tuple[float, ...] | None


def fold_in(model: FactorModel, recent: Sequence[tuple[str, float]],
            ridge: float = RIDGE_LAMBDA) -> np.ndarray | None:
    """The user vector u minimising Σ w_j (1 − u·v_j)² + λ‖u‖² over the recent items the
    model knows (weighted ridge least squares); None when it knows none of them."""
    rows = [(model.factor_of(item), weight) for item, weight in recent]
    known = [(row, weight) for row, weight in rows if row is not None and weight > 0]
    if not known:
        return None
    factors = np.stack([row for row, _ in known])
    weights = np.array([weight for _, weight in known])
    gram = factors.T @ (factors * weights[:, None]) + ridge * np.eye(factors.shape[1])
    return np.linalg.solve(gram, factors.T @ weights)


PARTS = ("category", "vendor", "price", "model")  # the rows of a personal score's parts


def rank(candidates: Sequence[Candidate] | CandidatePool, user: UserSignals,
         model: FactorModel | None, page_size: int, seed: int) -> list[RankedItem]:
    """The page: the best-scoring candidates, bought ones left out, ≤ MAX_PER_VENDOR a vendor.

    Vectorised over the candidates (10,000 active promotions rank in milliseconds); reasons
    are worked out for the items on the page only."""
    pool = candidates if isinstance(candidates, CandidatePool) else CandidatePool(candidates)
    if not len(pool) or page_size <= 0:
        return []
    user_vector = fold_in(model, user.recent) if model is not None else None
    exploration = EXPLORATION / np.sqrt(1.0 + pool.impressions)
    jitter = np.random.default_rng(seed).uniform(0.0, JITTER, len(pool))
    parts: np.ndarray | None = None
    if user.is_new and user_vector is None:
        base = POPULARITY_WEIGHT * (pool.clicks + CTR_PRIOR_CLICKS) / (
            pool.impressions + CTR_PRIOR_IMPRESSIONS)
    else:
        parts = _parts(pool, user, model, user_vector)
        base = parts.sum(axis=0)
    scores = np.where(pool.kept(user.bought), base + exploration + jitter, -np.inf)
    category = _normalised(user.category_weights)

    def reason(i: int) -> str:
        if pool.candidates[i].impressions < NEW_IMPRESSIONS and exploration[i] > base[i]:
            return "new"
        if parts is None or parts[:, i].max() <= 0:
            return "popular right now"
        return _reason(pool.candidates[i], PARTS[int(parts[:, i].argmax())], category)

    return _page(pool.candidates, scores, reason, model, page_size)


def _parts(pool: CandidatePool, user: UserSignals, model: FactorModel | None,
           user_vector: np.ndarray | None) -> np.ndarray:
    """Each candidate's weighted category, vendor, price band and model parts (4 × n)."""
    category = _normalised(user.category_weights)
    by_category = np.maximum(pool.weights("category_id", category),
                             pool.weights("subcategory_id", category))
    return np.array([CATEGORY_WEIGHT * by_category,
                     VENDOR_WEIGHT * pool.weights("vendor_id", _normalised(user.vendor_weights)),
                     PRICE_WEIGHT * pool.weights("price_band",
                                                 _normalised(user.price_band_weights)),
                     MODEL_WEIGHT * _dots(pool, model, user_vector)])


def _dots(pool: CandidatePool, model: FactorModel | None,
          user_vector: np.ndarray | None) -> np.ndarray:
    """The model's score of each candidate (its factor · the user's, clipped; 0 if unknown)."""
    dots = np.zeros(len(pool))
    if model is None or user_vector is None:
        return dots
    positions, rows = pool.model_rows(model)
    if len(positions):
        dots[positions] = np.clip(rows @ user_vector, -1.0, 1.5)
    return dots


def _reason(c: Candidate, strongest: str, category: Mapping[str, float]) -> str:
    if strongest == "category":
        by_sub = category.get(c.subcategory_id, 0.0) >= category.get(c.category_id, 0.0)
        return f"because you viewed {c.subcategory_name if by_sub else c.category_name}"
    return {"vendor": "from a vendor you viewed", "price": "in your price range",
            "model": "similar to what you viewed"}[strongest]


def _page(candidates: Sequence[Candidate], scores: np.ndarray, reason: Callable[[int], str],
          model: FactorModel | None, page_size: int) -> list[RankedItem]:
    """Greedy by score (the seeded jitter breaks ties), skipping a vendor's third item, a
    product already on the page, and what is left out (score −∞)."""
    per_vendor: dict[str, int] = {}
    shown: set[str] = set()
    page: list[RankedItem] = []
    for i in np.argsort(-scores, kind="stable"):
        c = candidates[i]
        if not np.isfinite(scores[i]):
            break
        if per_vendor.get(c.vendor_id, 0) >= MAX_PER_VENDOR or c.product_id in shown:
            continue
        per_vendor[c.vendor_id] = per_vendor.get(c.vendor_id, 0) + 1
        shown.add(c.product_id)
        row = model.factor_of(c.product_id) if model is not None else None
        factor = None if row is None else tuple(float(x) for x in row)
        page.append(RankedItem(c, round(float(scores[i]), 6), reason(int(i)), factor))
        if len(page) == page_size:
            break
    return page


def _normalised(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled so the largest positive one is 1 (negative ones count as 0)."""
    top = max((w for w in weights.values() if w > 0), default=0.0)
    return {k: max(w, 0.0) / top for k, w in weights.items()} if top > 0 else {}
