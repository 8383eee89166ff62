"""The device's side of the protocol (docs/federated-learning-protocol.md) over HTTP.

The device keeps its interaction history and its user factor in this object and nowhere
else: what it sends is the model version, the clipped item-factor update and a count.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import requests

from device_client.model import DeviceModel, ModelCache
from device_client.training import LocalUpdate, scores, train_locally, user_factor

# Decimal places of the update on the wire: ≤ 5e-7 per value, well inside the server's
# 1 % norm tolerance, and about half the bytes of full float64 text.
WIRE_DECIMALS = 6


def update_body(model_version: int, local: LocalUpdate) -> dict[str, Any]:
    """The body of POST /v1/fl/updates for a local update."""
    return {"model_version": model_version,
            "update": np.round(local.update, WIRE_DECIMALS).tolist(),
            "num_examples": local.num_examples}


def wire(body: dict[str, Any]) -> bytes:
    """The body as compact JSON (the update is most of it: about 9 bytes a value)."""
    return json.dumps(body, separators=(",", ":")).encode()


class DeviceClient:
    """One signed-in device: its history, its user factor, the model it last fetched."""

    def __init__(self, base_url: str, id_token: str, http: requests.Session | None = None,
                 models: ModelCache | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.id_token = id_token
        self.http = http or requests.Session()
        self.models = models or ModelCache()
        self.history: list[str] = []  # product ids, oldest first; never sent
        self.model: DeviceModel | None = None
        self.user_factor: np.ndarray | None = None  # never sent

    def record(self, product_ids: list[str]) -> None:
        """Remember interactions on the device (views, clicks, purchases)."""
        self.history.extend(product_ids)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}

    def refresh_model(self) -> DeviceModel:
        """The current model: GET /v1/fl/model, and the object only when the version is new."""
        answer = self.http.get(self.base_url + "/v1/fl/model", headers=self._auth(), timeout=30)
        answer.raise_for_status()
        current = answer.json()
        if self.model is None or self.model.version != int(current["version"]):
            self.model = self.models.get(self.http, current["url"])
            self._fold_in()
        return self.model

    def _fold_in(self) -> None:
        """The user factor against the held model's item factors (solved on the device)."""
        assert self.model is not None
        rows = self.model.rows_of(self.history)
        self.user_factor = (user_factor(self.model.item_factors, rows, self.model.hyper)
                            if len(rows) else None)

    def train_and_send(self) -> requests.Response | None:
        """Train on the history against the current model and POST the update (None when
        the model holds none of the device's items); once more after a stale version."""
        for _ in range(2):
            model = self.refresh_model()
            rows = model.rows_of(self.history)
            if len(rows) == 0:
                return None
            local = train_locally(model.item_factors, rows, model.hyper)
            self.user_factor = local.user_factor
            answer = self.http.post(
                self.base_url + "/v1/fl/updates", data=wire(update_body(model.version, local)),
                headers={**self._auth(), "Content-Type": "application/json"}, timeout=60)
            if answer.status_code != 409 or _code(answer) != "stale_model_version":
                return answer
            self.model = None
        return answer

    def recommend(self, k: int = 10) -> list[str]:
        """The device's own top k of the model's items it has not interacted with."""
        if self.model is None or self.user_factor is None:
            return []
        predicted = scores(self.model.item_factors, self.user_factor)
        predicted[self.model.rows_of(self.history)] = -np.inf
        best = np.argsort(-predicted, kind="stable")[:k]
        return [self.model.item_ids[row] for row in best]

    def rerank(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Feed items re-ordered by the device's own factor among those carrying an
        item_factor; items without one (new, exploration) keep their places."""
        if self.user_factor is None:
            return list(items)
        slots = [i for i, item in enumerate(items) if _usable(item, self.user_factor)]
        ranked = sorted((items[i] for i in slots), key=self._score, reverse=True)
        result = list(items)
        for slot, item in zip(slots, ranked, strict=True):
            result[slot] = item
        return result

    def _score(self, item: dict[str, Any]) -> float:
        assert self.user_factor is not None
        return float(np.dot(np.asarray(item["item_factor"], dtype=np.float64), self.user_factor))


def _usable(item: dict[str, Any], user: np.ndarray) -> bool:
    """Whether a feed item carries an item factor of the user factor's length."""
    factor = item.get("item_factor")
    return factor is not None and len(factor) == len(user)


def _code(answer: requests.Response) -> str | None:
    """The problem's `code`, if the answer is a problem document."""
    try:
        return answer.json().get("code")
    except ValueError:
        return None
