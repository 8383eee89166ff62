"""Near-duplicate texts: MinHash signatures over word 3-shingles (128 seeded permutations),
small enough to keep in a signal's detail, compared by their estimated Jaccard similarity."""

from __future__ import annotations

import hashlib
import random
import re

PERMUTATIONS = 128
SEED = 20261201
SHINGLE_WORDS = 3
MIN_WORDS = 8  # shorter texts ("Great, thanks!") are alike by chance, not by copying
_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1
_rng = random.Random(SEED)
_COEFFICIENTS = tuple((_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME))
                      for _ in range(PERMUTATIONS))
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The text's words, lower-case, punctuation dropped."""
    return _WORD.findall(text.casefold())


def shingles(text: str) -> set[str]:
    """The text's word 3-shingles."""
    found = words(text)
    return {" ".join(found[i:i + SHINGLE_WORDS])
            for i in range(max(1, len(found) - SHINGLE_WORDS + 1))} if found else set()


def signature(text: str) -> list[int] | None:
    """The MinHash signature of the text (32-bit values), None for a text too short to compare."""
    if len(words(text)) < MIN_WORDS:
        return None
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
              for s in shingles(text)]
    return [min((a * h + b) % _PRIME for h in hashes) & _MASK for a, b in _COEFFICIENTS]


def similarity(first: list[int], second: list[int]) -> float:
    """The estimated Jaccard similarity of the two texts' shingle sets."""
    if len(first) != PERMUTATIONS or len(second) != PERMUTATIONS:
        return 0.0
    return sum(a == b for a, b in zip(first, second, strict=True)) / PERMUTATIONS


def jaccard(first: str, second: str) -> float:
    """The exact Jaccard similarity of two texts' shingle sets (what signatures estimate)."""
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b) if a | b else 0.0
