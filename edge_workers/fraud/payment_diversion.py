"""Payment diversion in chat messages: IBANs (ISO 13616 mod-97), links to off-platform
payment services and shorteners, and phrases asking to pay outside the platform. Each match
is reported by its kind and a masked excerpt, never the message text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.domain.iban import IBAN_LENGTHS, compact, valid_iban

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

@dataclass(frozen=True)
class Match:
    """A payment-diversion match: `kind` iban | payment_link | off_platform_phrase."""

    kind: str
    excerpt: str  # masked: an IBAN's country and last 4, a link's host, a phrase's kind


def ibans(text: str) -> list[str]:
    """The valid IBANs in the text: each candidate run cut to its country's IBAN length."""
    found = []
    for candidate in _IBAN.finditer(text):
        run = compact(candidate.group(1))
        found.append(run[:IBAN_LENGTHS.get(run[:2], 0)])
    return [iban for iban in found if valid_iban(iban)]


def mask_iban(iban: str) -> str:
    """DE89 **** 3000: the country, check digits and last four only."""
    whole = compact(iban)
    return f"{whole[:4]} **** {whole[-4:]}"


def matches(text: str) -> list[Match]:
    """Every payment-diversion match in the text, in kind order, each once."""
    found = [Match("iban", mask_iban(iban)) for iban in ibans(text)]
    found += [Match("payment_link", m.group(1).lower().split("/")[0])
              for m in _LINK.finditer(text)]
    if _PHRASES.search(text):
        found.append(Match("off_platform_phrase", "asks to pay outside the platform"))
    return list(dict.fromkeys(found))
