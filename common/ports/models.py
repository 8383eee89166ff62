"""The published ranking model (item factors learned by federated rounds), as readers see it.

The feed (P3) scores with `ModelStore.current()`; the model object itself lives immutable in
the model bucket (common/adapters/gcs_models.py), its versions in PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class Model:
    """One model version: `item_factors[i]` is the factor (length `dim`) of `item_ids[i]`."""

    version: int
    dim: int
    item_ids: tuple[str, ...]
    item_factors: np.ndarray
    hyper: dict[str, Any]
    _rows: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rows.update({item_id: row for row, item_id in enumerate(self.item_ids)})
        self.item_factors.setflags(write=False)

    def row_of(self, product_id: str) -> int | None:
        """The row of `product_id` in `item_factors`, or None when the model lacks it."""
        return self._rows.get(product_id)

    def factor_of(self, product_id: str) -> np.ndarray | None:
        """The product's item factor (read-only), or None when the model lacks it."""
        row = self._rows.get(product_id)
        return None if row is None else self.item_factors[row]


@dataclass(frozen=True)
class ModelVersion:
    """A published version as fl_models lists it: where its object is and what made it."""

    version: int
    object_path: str
    dim: int
    items: int
    hyper: dict[str, Any]
    created_at: datetime
    round_updates: int = 0
    sampling_rate: float = 0.0
    noise_multiplier: float = 0.0
    epsilon: float | None = None
    delta: float | None = None


class ModelStore(Protocol):
    """The current model and any published version, each loaded once per process."""

    def current(self) -> Model | None:
        """The newest published version (None before version 1 exists)."""
        ...

    def get(self, version: int) -> Model:
        """A published version; KeyError when there is none of that number."""
        ...


class ModelObjects(Protocol):
    """The immutable model objects in the model bucket (behind the CDN)."""

    def write(self, model: Model) -> str:
        """Store a new version's object once (never overwritten); its object path."""
        ...

    def read(self, object_path: str) -> Model: ...

    def public_url(self, object_path: str) -> str: ...
