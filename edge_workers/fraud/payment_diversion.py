"""Payment diversion in chat messages: IBANs (ISO 13616 mod-97), links to off-platform
payment services and shorteners, and phrases asking to pay outside the platform. Each match
is reported by its kind and a masked excerpt, never the message text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})", re.IGNORECASE)
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(paypal\.me|wise\.com/pay|revolut\.me|cash\.app|venmo\.com"
    r"|bit\.ly|tinyurl\.com|t\.ly|goo\.gl|is\.gd|rb\.gy|cutt\.ly)(?:/\S*)?", re.IGNORECASE)
_PHRASES = re.compile(
    r"pay (?:me )?(?:directly|outside|off[- ]platform|by (?:bank|wire) transfer)"
    r"|send (?:the )?money (?:directly|to my)|outside (?:the|this) (?:platform|site|app)"
    r"|avoid (?:the )?fees"
    r"|direkt (?:überweisen|bezahlen)|an mich überweisen|transfer (?:it )?to my (?:bank|account)",
    re.IGNORECASE)

# ISO 13616 lengths of the IBAN registry's countries most seen here (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "TR": 26, "UA": 29, "AE": 23, "SA": 24, "IL": 23, "BR": 29,
}


@dataclass(frozen=True)
class Match:
    """A payment-diversion match: `kind` iban | payment_link | off_platform_phrase."""

    kind: str
    excerpt: str  # masked: an IBAN's country and last 4, a link's host, a phrase's kind


def valid_iban(candidate: str) -> bool:
    """ISO 13616: the country's length, and the rearranged digits leave 1 modulo 97."""
    iban = candidate.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def ibans(text: str) -> list[str]:
    """The valid IBANs in the text: each candidate run cut to its country's IBAN length."""
    found = []
    for candidate in _IBAN.finditer(text):
        compact = candidate.group(1).replace(" ", "").upper()
        found.append(compact[:IBAN_LENGTHS.get(compact[:2], 0)])
    return [iban for iban in found if valid_iban(iban)]


def mask_iban(iban: str) -> str:
    """DE89 **** 3000: the country, check digits and last four only."""
    compact = iban.replace(" ", "").upper()
    return f"{compact[:4]} **** {compact[-4:]}"


def matches(text: str) -> list[Match]:
    """Every payment-diversion match in the text, in kind order, each once."""
    found = [Match("iban", mask_iban(iban)) for iban in ibans(text)]
    found += [Match("payment_link", m.group(1).lower().split("/")[0])
              for m in _LINK.finditer(text)]
    if _PHRASES.search(text):
        found.append(Match("off_platform_phrase", "asks to pay outside the platform"))
    return list(dict.fromkeys(found))
