"""The model as the device holds it: downloaded once per version from its immutable URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import requests

from device_client.training import Hyper


@dataclass(frozen=True)
class DeviceModel:
    """One model version: row i of `item_factors` is the factor of `item_ids[i]`."""

    version: int
    item_ids: tuple[str, ...]
    item_factors: np.ndarray  # (items, dim)
    hyper: Hyper

    @property
    def dim(self) -> int:
        """The factor length."""
        return int(self.item_factors.shape[1])

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> DeviceModel:
        """The model from its object's JSON; ValueError when the shapes disagree."""
        factors = np.asarray(document["item_factors"], dtype=np.float64)
        item_ids = tuple(str(item) for item in document["item_ids"])
        dim = int(document["dim"])
        if factors.shape != (len(item_ids), dim):
            raise ValueError(f"model factors of shape {factors.shape} do not match "
                             f"{len(item_ids)} items × dim {dim}")
        return cls(int(document["version"]), item_ids, factors,
                   Hyper.of(document.get("hyper") or {}))

    def rows_of(self, product_ids: list[str]) -> np.ndarray:
        """The model rows of those products it holds (others are not trained on), unique."""
        rows = {item: row for row, item in enumerate(self.item_ids)}
        return np.array(sorted({rows[p] for p in product_ids if p in rows}), dtype=np.int64)


def download(http: requests.Session, url: str, timeout: float = 30.0) -> DeviceModel:
    """The model object at `url` (immutable, so a CDN or the HTTP cache may answer)."""
    response = http.get(url, timeout=timeout)
    response.raise_for_status()
    return DeviceModel.of(response.json())


class ModelCache:
    """Model objects by URL: they are immutable, so one download serves every later read
    (a browser's HTTP cache; in a simulation, the CDN edge shared by many devices)."""

    def __init__(self) -> None:
        self._models: dict[str, DeviceModel] = {}

    def get(self, http: requests.Session, url: str) -> DeviceModel:
        """The model at `url`, downloaded on first use."""
        if url not in self._models:
            self._models[url] = download(http, url)
        return self._models[url]
