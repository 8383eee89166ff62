"""The pseudonym keys of the residency zones, and the pseudonyms a client gets in its zone.

Each zone has a current key and, during a rotation window, the previous one: events carry
the previous key's pseudonym too (`previous_pseudonym`), so the central side can merge the
history kept under the old pseudonym into the new one. The zone comes from the client's
country (X-Client-Region), else it is this instance's own (RESIDENCY_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from common.domain.pseudonyms import PseudonymKind, pseudonym
from common.domain.residency import ZONES, Zone, checked_zone, zone_of


@dataclass(frozen=True)
class ZoneKey:
    """A zone with its current key and, while a rotation lasts, the previous one."""

    zone: Zone
    current: bytes
    previous: bytes | None

    def pseudonyms(self, kind: PseudonymKind, raw_id: str) -> tuple[str, str | None]:
        """The pseudonym under the current key, and under the previous key (None outside
        a rotation)."""
        now = pseudonym(kind, raw_id, self.current)
        before = pseudonym(kind, raw_id, self.previous) if self.previous else None
        return now, before


class ZoneKeys:
    """The keys of every zone; `of(region_code)` picks the client's."""

    def __init__(self, keys: Mapping[str, Sequence[bytes]], default_zone: str) -> None:
        missing = [zone for zone in ZONES if not keys.get(zone)]
        if missing:
            raise ValueError(f"no pseudonym key for zone(s) {', '.join(missing)}")
        self._keys = {checked_zone(zone): ZoneKey(checked_zone(zone), keys[zone][0],
                                                  keys[zone][1] if len(keys[zone]) > 1 else None)
                      for zone in ZONES}
        self._default = checked_zone(default_zone)

    def of(self, region_code: str | None) -> ZoneKey:
        """The zone key of a client from `region_code` (None or unknown: this instance's)."""
        return self._keys[zone_of(region_code) or self._default]
