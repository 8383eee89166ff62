"""Recognizers of personal data in free text, each replaced by its placeholder (`<EMAIL>`).

Regular expressions with checksums where a format has one (IBAN mod-97, card Luhn), so an
order number is not taken for a card; plus the identifiers the anonymizer knows of this
very request (the account and device ids, the token's email and name, the client's
address). Names and street addresses have no format: they are caught after a cue ("my name
is", "Mr", a greeting) or as a house number with a street word. docs/anonymization-policy.md
says what this misses and why free text is short and rare in our events.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Callable, Iterable

from common.domain.iban import checksum_ok

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+(?:@|\s*\(at\)\s*)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_CREDENTIALS = re.compile(r"https?://\S+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}"
                   r"(?![0-9A-Fa-f:])")
_PHONE = re.compile(r"(?<![\w+(])(?:\+|00)?\(?\d(?:[ ./()-]{0,2}\d){7,14}(?!\w)")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                   re.IGNORECASE)
_NAME_WORD = r"[A-Z][a-zà-öø-ÿ'’-]+"
_NAME = re.compile(
    r"(?i:(?:\b(?:my name is|name's|i am|i'm|this is|signed|regards|thanks|cheers|hello|hi|"
    r"dear|mr|mrs|ms|miss|dr|prof|herr|frau|monsieur|madame|sr|sra)\b\.?,?\s+)+)"
    rf"({_NAME_WORD}(?:\s{_NAME_WORD}){{0,2}})")
_CUE_WORDS = r"(?:Dear|Hello|Hi|Thanks|Regards|Cheers|Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau)\b"
_FULL_NAME = re.compile(rf"\b(?!{_CUE_WORDS}){_NAME_WORD}\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?\b")
_STREET_WORDS = (r"street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|way|drive|dr|court|ct|"
                 r"place|pl|square|sq|terrace|close|crescent")
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s+(?:[A-Za-zà-ÿ'-]+\s+){{1,4}}(?i:{_STREET_WORDS})\b\.?"
    r"|\b[A-Za-zÄÖÜäöüß-]+(?i:straße|strasse|str\.|weg|gasse|platz|allee|ring)\s*\d{1,5}[a-z]?\b"
    r"|\b(?i:rue|avenue|boulevard|via|viale|calle|avenida|plaza|rua|piazza|chemin)\s+"
    r"(?:(?:de|del|della|des|du|la|le|do|da)\s+)?(?:[A-Za-zà-ÿ'-]+\s*){1,3}(?:,?\s*\d{1,5})?")


def _luhn_ok(candidate: str) -> bool:
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _ip_ok(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _replace(pattern: re.Pattern[str], label: str,
             valid: Callable[[str], bool] = lambda _: True) -> Callable[[str], str]:
    def scrub(text: str) -> str:
        return pattern.sub(lambda m: label if valid(m.group(0)) else m.group(0), text)
    return scrub


def _replace_names(text: str) -> str:
    cued = _NAME.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "<NAME>", text)
    return _FULL_NAME.sub("<NAME>", cued)


# Order matters: an email holds digits a phone would take, an IBAN digits a card would.
SCRUBBERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("url", _replace(_URL_CREDENTIALS, "<URL>")),
    ("email", _replace(_EMAIL, "<EMAIL>")),
    ("iban", _replace(_IBAN, "<IBAN>", checksum_ok)),
    ("card", _replace(_CARD, "<CARD>", _luhn_ok)),
    ("uuid", _replace(_UUID, "<ID>")),
    ("ip", _replace(_IPV4, "<IP>", _ip_ok)),
    ("ipv6", _replace(_IPV6, "<IP>", _ip_ok)),
    ("phone", _replace(_PHONE, "<PHONE>")),
    ("address", _replace(_ADDRESS, "<ADDRESS>")),
    ("name", _replace_names),
)


def scrubbed(text: str, known: Iterable[str] = ()) -> str:
    """`text` with the request's known identifiers and every recognized entity replaced."""
    for value in sorted({v for v in known if v and len(v) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(value), "<ID>", text, flags=re.IGNORECASE)
    for _, scrub in SCRUBBERS:
        text = scrub(text)
    return re.sub(r"\s+", " ", text).strip()
