"""Data-residency zones: where a client's behaviour is pseudonymized, and with which key.

One HMAC key per zone (not per region), so a traveller inside a zone keeps one pseudonym
whichever regional anonymizer serves them. A country maps to the zone whose law and
processing location fit it: the Americas, Asia-Pacific (with Oceania), and everything
else (Europe, Africa, the Middle East) to `eu`, whose GDPR rules are the strictest we
serve. docs/anonymization-policy.md is the written policy.
"""

from __future__ import annotations

import re
from typing import Literal

Zone = Literal["eu", "americas", "asia"]
ZONES: tuple[Zone, ...] = ("eu", "americas", "asia")
_REGION_CODE = re.compile(r"^[A-Z]{2}$")

AMERICAS = frozenset(
    "AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY "
    "HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI".split())
ASIA = frozenset(
    "AF AS AU BD BN BT CC CK CN CX FJ FM GU HK ID IN IO JP KG KH KI KP KR KZ LA LK MH MM "
    "MN MO MP MV MY NC NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TJ TK TL TM TO TV TW UZ "
    "VN VU WF WS".split())


def zone_of(region_code: str | None) -> Zone | None:
    """The zone of an ISO 3166 alpha-2 country code; None for no code or a malformed one."""
    if region_code is None or not _REGION_CODE.match(region_code):
        return None
    if region_code in AMERICAS:
        return "americas"
    if region_code in ASIA:
        return "asia"
    return "eu"


def checked_zone(value: str) -> Zone:
    """`value` as a zone; ValueError naming the zones otherwise."""
    if value not in ZONES:
        raise ValueError(f"a residency zone is one of {', '.join(ZONES)}, not {value!r}")
    return value
