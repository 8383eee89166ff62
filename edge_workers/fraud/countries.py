"""Approximate centroids (latitude, longitude in degrees) of the countries clients come
from, and the great-circle distance between two countries' centroids, for impossible travel.
A country not listed has no distance: no finding rather than a guess."""

from __future__ import annotations

import math

CENTROIDS: dict[str, tuple[float, float]] = {
    "AE": (23.4, 53.8), "AR": (-38.4, -63.6), "AT": (47.5, 14.6), "AU": (-25.3, 133.8),
    "BE": (50.5, 4.5), "BG": (42.7, 25.5), "BR": (-14.2, -51.9), "CA": (56.1, -106.3),
    "CH": (46.8, 8.2), "CL": (-35.7, -71.5), "CN": (35.9, 104.2), "CO": (4.6, -74.3),
    "CZ": (49.8, 15.5), "DE": (51.2, 10.5), "DK": (56.3, 9.5), "EE": (58.6, 25.0),
    "EG": (26.8, 30.8), "ES": (40.5, -3.7), "FI": (61.9, 25.7), "FR": (46.2, 2.2),
    "GB": (55.4, -3.4), "GR": (39.1, 21.8), "HK": (22.3, 114.2), "HR": (45.1, 15.2),
    "HU": (47.2, 19.5), "ID": (-0.8, 113.9), "IE": (53.1, -7.7), "IL": (31.0, 34.9),
    "IN": (20.6, 79.0), "IS": (64.96, -19.0), "IT": (41.9, 12.6), "JP": (36.2, 138.3),
    "KE": (-0.02, 37.9), "KR": (35.9, 127.8), "LT": (55.2, 23.9), "LU": (49.8, 6.1),
    "LV": (56.9, 24.6), "MA": (31.8, -7.1), "MX": (23.6, -102.6), "MY": (4.2, 102.0),
    "NG": (9.1, 8.7), "NL": (52.1, 5.3), "NO": (60.5, 8.5), "NZ": (-40.9, 174.9),
    "PE": (-9.2, -75.0), "PH": (12.9, 121.8), "PK": (30.4, 69.3), "PL": (51.9, 19.1),
    "PT": (39.4, -8.2), "RO": (45.9, 25.0), "RS": (44.0, 21.0), "RU": (61.5, 105.3),
    "SA": (23.9, 45.1), "SE": (60.1, 18.6), "SG": (1.35, 103.8), "SI": (46.2, 14.995),
    "SK": (48.7, 19.7), "TH": (15.9, 100.99), "TR": (38.96, 35.2), "TW": (23.7, 121.0),
    "UA": (48.4, 31.2), "US": (37.1, -95.7), "VN": (14.1, 108.3), "ZA": (-30.6, 22.9),
}
EARTH_RADIUS_KM = 6371.0


def distance_km(first: str, second: str) -> float | None:
    """Great-circle distance between the two countries' centroids; None if one is unknown."""
    a, b = CENTROIDS.get(first.upper()), CENTROIDS.get(second.upper())
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
