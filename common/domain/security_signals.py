"""What the security signals carry about an email: its domain and the shape of its local
part (length, character classes, entropy, keyboard runs), never the address itself, so the
fraud worker can tell a generated-looking address without storing anyone's email."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "qwertzuiop", "azertyuiop")


@dataclass(frozen=True)
class Origin:
    """Where a request came from: the client's device, address and country (each may be
    unknown), as common/http_origin.py reads them."""

    device_id: str | None = None
    ip: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class EmailShape:
    """The shape of an email's local part: counts and measures, no characters."""

    length: int
    digits: int
    letters: int
    symbols: int
    entropy: float  # Shannon entropy, bits per character, 2 decimals
    keyboard_run: int  # the longest run of neighbouring keys (or digits) in a row


def email_domain(email: str) -> str:
    """The domain of an email address, lower-case ('' without one)."""
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def email_shape(email: str) -> EmailShape:
    """The shape of the address's local part (the part before the last '@')."""
    local = email.rpartition("@")[0].lower() if "@" in email else email.lower()
    digits = sum(ch.isdigit() for ch in local)
    letters = sum(ch.isalpha() for ch in local)
    return EmailShape(length=len(local), digits=digits, letters=letters,
                      symbols=len(local) - digits - letters, entropy=_entropy(local),
                      keyboard_run=_longest_keyboard_run(local))


def _entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return round(-sum(n / total * math.log2(n / total) for n in counts.values()), 2)


def _neighbours(a: str, b: str) -> bool:
    """b is the key right of a on one keyboard row (so 'qwer' and '1234' are runs)."""
    return any(a in row and row.index(a) + 1 < len(row) and row[row.index(a) + 1] == b
               for row in KEYBOARD_ROWS)


def _longest_keyboard_run(text: str) -> int:
    best = run = 1 if text else 0
    for a, b in zip(text, text[1:], strict=False):
        run = run + 1 if _neighbours(a, b) else 1
        best = max(best, run)
    return best
