"""Preference features of one pseudonym: what its interactions and purchases lean to.

Weights per category (the product's category and its subcategory, both ids of one
taxonomy), per vendor and per price band add each interaction's type weight
(common/domain/interactions.py), decayed by its age with a half-life. Weights are kept as
of `updated_at` (the latest interaction folded in), so folding the same interactions in
any order gives the same numbers; a reader decays them to its own "now" with `decayed_to`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from common.domain.events import Interaction
from common.domain.interactions import weight

HALF_LIFE = timedelta(days=7)
MAX_RECENT = 50
MAX_BOUGHT = 500
MAX_KEYS = 100  # per weight map: the strongest are kept
MIN_WEIGHT = 1e-4
# Price bands by EUR minor units: (name, upper bound exclusive).
PRICE_BANDS = (("under_10", 1_000), ("10_50", 5_000), ("50_200", 20_000),
               ("200_1000", 100_000), ("over_1000", None))


@dataclass(frozen=True)
class ProductFacts:
    """What a product's interactions count towards."""

    product_id: str
    vendor_id: str
    category_id: str
    subcategory_id: str
    price_amount: int


@dataclass(frozen=True)
class RecentItem:
    product_id: str
    type: str
    at: str  # ISO 8601


@dataclass(frozen=True)
class Preferences:
    """The features the feed reads (weights as of `updated_at`; `recent` newest first)."""

    pseudonym: str
    category_weights: Mapping[str, float] = field(default_factory=dict)
    vendor_weights: Mapping[str, float] = field(default_factory=dict)
    price_band: Mapping[str, float] = field(default_factory=dict)
    recent: tuple[RecentItem, ...] = ()
    bought: tuple[str, ...] = ()
    updated_at: datetime | None = None


def price_band(amount: int) -> str:
    """The band of a price in minor units."""
    for name, upper in PRICE_BANDS:
        if upper is None or amount < upper:
            return name
    raise AssertionError("the last band has no upper bound")


def decay(elapsed: timedelta, half_life: timedelta = HALF_LIFE) -> float:
    """How much of a weight is left after `elapsed` (1 for no time or negative time)."""
    return 0.5 ** (max(elapsed.total_seconds(), 0.0) / half_life.total_seconds())


def decayed_to(prefs: Preferences, when: datetime,
               half_life: timedelta = HALF_LIFE) -> Preferences:
    """The same features with weights as of `when` (never grown: earlier `when` is a no-op)."""
    if prefs.updated_at is None or when <= prefs.updated_at:
        return prefs
    factor = decay(when - prefs.updated_at, half_life)
    return replace(prefs, category_weights=_scaled(prefs.category_weights, factor),
                   vendor_weights=_scaled(prefs.vendor_weights, factor),
                   price_band=_scaled(prefs.price_band, factor), updated_at=when)


def folded(prefs: Preferences, interactions: Iterable[Interaction],
           facts: Mapping[str, ProductFacts], half_life: timedelta = HALF_LIFE) -> Preferences:
    """`prefs` with these interactions added; those of unknown products and searches count
    for nothing. Purchases are interactions of type "purchase" (and go to `bought`)."""
    counted = [i for i in interactions if i.product_id in facts]
    if not counted:
        return prefs
    latest = max(datetime.fromisoformat(i.at) for i in counted)
    ref = max(latest, prefs.updated_at) if prefs.updated_at else latest
    base = decayed_to(prefs, ref, half_life)
    categories, vendors, bands = (dict(base.category_weights), dict(base.vendor_weights),
                                  dict(base.price_band))
    for interaction in counted:
        product = facts[interaction.product_id or ""]
        amount = weight(interaction) * decay(ref - datetime.fromisoformat(interaction.at),
                                             half_life)
        for key in (product.category_id, product.subcategory_id):
            categories[key] = categories.get(key, 0.0) + amount
        vendors[product.vendor_id] = vendors.get(product.vendor_id, 0.0) + amount
        band = price_band(product.price_amount)
        bands[band] = bands.get(band, 0.0) + amount
    recent = [RecentItem(i.product_id or "", i.type, i.at) for i in counted]
    bought = [i.product_id or "" for i in counted if i.type == "purchase"]
    return replace(base, category_weights=_kept(categories), vendor_weights=_kept(vendors),
                   price_band=_kept(bands), recent=_newest(recent + list(base.recent)),
                   bought=_union(bought, base.bought), updated_at=ref)


def merged(account: Preferences, device: Preferences,
           half_life: timedelta = HALF_LIFE) -> Preferences:
    """The account's features with a device's added (the device's anonymous history)."""
    times = [t for t in (account.updated_at, device.updated_at) if t is not None]
    if not times:
        return replace(account, bought=_union(device.bought, account.bought))
    ref = max(times)
    a, d = decayed_to(account, ref, half_life), decayed_to(device, ref, half_life)
    return replace(a, category_weights=_summed(a.category_weights, d.category_weights),
                   vendor_weights=_summed(a.vendor_weights, d.vendor_weights),
                   price_band=_summed(a.price_band, d.price_band),
                   recent=_newest(list(a.recent) + list(d.recent)),
                   bought=_union(d.bought, a.bought), updated_at=ref)


def _scaled(weights: Mapping[str, float], factor: float) -> dict[str, float]:
    return _kept({key: value * factor for key, value in weights.items()})


def _summed(one: Mapping[str, float], other: Mapping[str, float]) -> dict[str, float]:
    return _kept({key: one.get(key, 0.0) + other.get(key, 0.0) for key in {*one, *other}})


def _kept(weights: Mapping[str, float]) -> dict[str, float]:
    strongest = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_KEYS]
    return {key: value for key, value in strongest if value >= MIN_WEIGHT}


def _newest(items: list[RecentItem]) -> tuple[RecentItem, ...]:
    unique = sorted(set(items), key=lambda i: (datetime.fromisoformat(i.at), i.product_id,
                                               i.type), reverse=True)
    return tuple(unique[:MAX_RECENT])


def _union(first: Iterable[str], then: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *then]))[:MAX_BOUGHT]
