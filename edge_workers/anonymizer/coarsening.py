"""Quasi-identifiers made coarse by the written policy (docs/anonymization-policy.md).

Times to the hour, a user agent to its device class, an amount to a band, and each
analytics property by an allow-list: a property we do not know is dropped, never passed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable, Literal, Mapping

DeviceClass = Literal["mobile", "tablet", "desktop", "bot", "other"]
_BOT = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|httpx|headless", re.I)
_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.I)
_MOBILE = re.compile(r"mobi|iphone|ipod|android|blackberry|opera mini|windows phone", re.I)
_DESKTOP = re.compile(r"windows nt|macintosh|mac os x|x11|linux|cros", re.I)
# Upper bounds (minor units) of the amount bands; the last band is open.
VALUE_BANDS = ((1_000, "<10"), (5_000, "10-50"), (20_000, "50-200"), (100_000, "200-1000"))
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_./-]{0,63}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}(--[a-z0-9-]{1,62})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def to_hour(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` falls in."""
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def device_class(user_agent: str | None) -> DeviceClass:
    """mobile | tablet | desktop | bot | other, from a User-Agent header (never kept)."""
    if not user_agent:
        return "other"
    for pattern, kind in ((_BOT, "bot"), (_TABLET, "tablet"), (_MOBILE, "mobile"),
                          (_DESKTOP, "desktop")):
        if pattern.search(user_agent):
            return kind  # type: ignore[return-value]
    return "other"


def value_band(amount: int) -> str:
    """The band of an amount in minor units (an exact basket value would single people out)."""
    for upper, name in VALUE_BANDS:
        if amount < upper:
            return name
    return ">=1000"


def _token(value: Any) -> str | None:
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def _small_count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 999
    return min(value, 20) if ok else None  # 20+ together: a rare big count singles out


def _band(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value_band(value) if ok else None


def _matching(pattern: re.Pattern[str]) -> Callable[[Any], str | None]:
    return lambda value: value if isinstance(value, str) and pattern.match(value) else None


# The allow-list: property name -> what it becomes (None: dropped). `value` becomes `value_band`.
PROPERTIES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "screen": ("screen", _token),
    "list": ("list", _token),
    "position": ("position", _small_count),
    "quantity": ("quantity", _small_count),
    "results": ("results", _small_count),
    "value": ("value_band", _band),
    "currency": ("currency", _matching(_CURRENCY)),
    "language": ("language", _matching(_LANGUAGE)),
    "category_id": ("category_id", _matching(_SLUG)),
    "payment_method": ("payment_method", _token),
}


def coarse_properties(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The allowed properties made coarse; unknown or malformed ones dropped."""
    kept: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        if name not in PROPERTIES:
            continue
        target, coarsen = PROPERTIES[name]
        coarse = coarsen(value)
        if coarse is not None:
            kept[target] = coarse
    return kept
