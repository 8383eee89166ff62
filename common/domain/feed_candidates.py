"""The active promotions as arrays for the feed's ranking: built once per set of candidates
(the feed's reads are cached per instance), then ranked per request in vectorised steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Collection, Mapping, Protocol, Sequence

import numpy as np

if TYPE_CHECKING:
    from common.domain.feed_ranking import Candidate

KEYS = ("category_id", "subcategory_id", "vendor_id", "price_band")


class FactorModel(Protocol):
    """What the ranking reads of the current model (common/ports/models.py `Model` is one)."""

    @property
    def version(self) -> int: ...

    def factor_of(self, product_id: str) -> np.ndarray | None: ...


class CandidatePool:
    """Candidates with their counts as arrays and their keys encoded, so that a request
    looks up a user's weights per distinct key (hundreds), not per candidate (thousands)."""

    def __init__(self, candidates: Sequence["Candidate"]) -> None:
        self.candidates = tuple(candidates)
        self.impressions = np.array([c.impressions for c in self.candidates], dtype=np.float64)
        self.clicks = np.array([c.clicks for c in self.candidates], dtype=np.float64)
        self._codes = {key: _encoded([getattr(c, key) for c in self.candidates])
                       for key in KEYS}
        self._rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # model version -> rows

    def __len__(self) -> int:
        return len(self.candidates)

    def weights(self, key: str, weights: Mapping[str, float]) -> np.ndarray:
        """Each candidate's weight of its `key` (0 for a key `weights` lacks)."""
        if not weights:
            return np.zeros(len(self))
        keys, codes = self._codes[key]
        return np.array([weights.get(k, 0.0) for k in keys])[codes]

    def kept(self, bought: Collection[str]) -> np.ndarray:
        """True for each candidate whose product is not in `bought`."""
        if not bought:
            return np.ones(len(self), dtype=bool)
        return np.array([c.product_id not in bought for c in self.candidates])

    def model_rows(self, model: FactorModel) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the candidates the model knows, their factors), once per version."""
        if model.version not in self._rows:
            known = [(i, row) for i, c in enumerate(self.candidates)
                     if (row := model.factor_of(c.product_id)) is not None]
            positions = np.array([i for i, _ in known], dtype=np.int64)
            rows = np.stack([row for _, row in known]) if known else np.zeros((0, 0))
            self._rows[model.version] = (positions, rows)
        return self._rows[model.version]


def _encoded(values: list[str]) -> tuple[list[str], np.ndarray]:
    """The distinct values, and each value's position among them."""
    keys = sorted(set(values))
    at = {key: i for i, key in enumerate(keys)}
    return keys, np.array([at[v] for v in values], dtype=np.int64)
