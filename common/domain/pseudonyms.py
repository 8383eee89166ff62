"""Pseudonymous ids: what features, feed history and model updates are keyed by, never raw ids.

A pseudonym is HMAC-SHA256(key, "kind:raw_id") in hex, cut to 32 characters (128 bits): the
same person or device always maps to the same pseudonym under one key, an account and a
device with the same raw id never collide, and without the key (PSEUDONYM_KEY) nobody can
go from a pseudonym back to the id or test a guess.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

PseudonymKind = Literal["account", "device"]
KINDS: tuple[PseudonymKind, ...] = ("account", "device")
PSEUDONYM_CHARS = 32


def pseudonym(kind: PseudonymKind, raw_id: str, key: bytes) -> str:
    """The pseudonym of an account or a device id under `key`; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown pseudonym kind {kind!r}")
    if not key:
        raise ValueError("a pseudonym needs a key")
    digest = hmac.new(key, f"{kind}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_CHARS]
