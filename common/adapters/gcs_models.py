"""The model bucket: immutable model objects behind the CDN, and the current model for readers.

An object is `models/v{version}-{digest}.json` (the digest of its content): written once
with `ifGenerationMatch=0` and a year-long immutable Cache-Control, never overwritten, so a
CDN or a device may cache it forever. A run that crashed before listing its version leaves
an object nobody was told about; the next run writes its own under another digest.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.request
from typing import Callable

import numpy as np

from common.domain.errors import ServiceUnavailable
from common.ports.models import Model, ModelVersion
from common.settings import Settings

MODEL_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Factors are published to 6 decimals: compact, and what every device and the server use.
DECIMALS = 6
# How long a reader trusts its idea of the current version before asking the database.
CURRENT_TTL_S = 10.0


def model_document(model: Model) -> bytes:
    """The model object's JSON: {version, dim, item_ids, item_factors, hyper}."""
    document = {"version": model.version, "dim": model.dim, "item_ids": list(model.item_ids),
                "item_factors": np.round(model.item_factors, DECIMALS).tolist(),
                "hyper": model.hyper}
    return json.dumps(document, separators=(",", ":")).encode()


def model_from_document(data: bytes) -> Model:
    """The Model of a model object's JSON; ValueError when it is not one."""
    document = json.loads(data)
    factors = np.asarray(document["item_factors"], dtype=np.float64).reshape(
        len(document["item_ids"]), int(document["dim"]))
    return Model(version=int(document["version"]), dim=int(document["dim"]),
                 item_ids=tuple(document["item_ids"]), item_factors=factors,
                 hyper=dict(document["hyper"]))


def object_path(version: int, data: bytes) -> str:
    return f"models/v{version}-{hashlib.sha256(data).hexdigest()[:16]}.json"


class ModelObjectReader:
    """Reads model objects over their public URL (the CDN), as devices do: no storage client
    and no IAM; each object is downloaded once per process (it never changes)."""

    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self._base_url, self._timeout_s = base_url, timeout_s
        self._cache: dict[str, Model] = {}
        self._lock = threading.Lock()

    def read(self, object_path: str) -> Model:
        with self._lock:
            cached = self._cache.get(object_path)
        if cached is not None:
            return cached
        url = f"{self._base_url}/{object_path}"
        try:
            with urllib.request.urlopen(url, timeout=self._timeout_s) as response:  # noqa: S310
                model = model_from_document(response.read())
        except (OSError, ValueError) as error:
            raise ServiceUnavailable("model_bucket", error) from error
        with self._lock:
            self._cache[object_path] = model
        return model


class GcsModelObjects:
    """ModelObjects: writes objects to MODEL_BUCKET (object creator is all it needs) and
    reads them back through the public URL."""

    def __init__(self, settings: Settings, reader: ModelObjectReader | None = None) -> None:
        from google.cloud import storage  # type: ignore[attr-defined]  # untyped package

        self._base_url = settings.model_base_url
        self._bucket = storage.Client(project=settings.project_id).bucket(settings.model_bucket)
        self._reader = reader or ModelObjectReader(settings.model_base_url)

    def write(self, model: Model) -> str:
        """Store the version's object once; its path (content-addressed: never overwritten)."""
        from google.api_core import exceptions

        data = model_document(model)
        path = object_path(model.version, data)
        blob = self._bucket.blob(path)
        blob.cache_control = MODEL_CACHE_CONTROL
        try:
            blob.upload_from_string(data, content_type="application/json", if_generation_match=0)
        except exceptions.PreconditionFailed:
            pass  # the same bytes are there already: a retried write
        except (exceptions.ServerError, exceptions.TooManyRequests) as error:
            raise ServiceUnavailable("storage", error) from error
        return path

    def read(self, object_path: str) -> Model:
        return self._reader.read(object_path)

    def public_url(self, object_path: str) -> str:
        return f"{self._base_url}/{object_path}"


class PublishedModels:
    """ModelStore: the current version from fl_models (rechecked every CURRENT_TTL_S), its
    object from the bucket, loaded once per version."""

    def __init__(self, current_version: Callable[[], ModelVersion | None],
                 read: Callable[[str], Model], clock: Callable[[], float] = time.monotonic,
                 ttl_s: float = CURRENT_TTL_S) -> None:
        self._current_version, self._read = current_version, read
        self._clock, self._ttl_s = clock, ttl_s
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._current: ModelVersion | None = None
        self._paths: dict[int, str] = {}

    def current(self) -> Model | None:
        with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self._ttl_s:
                self._current, self._checked_at = self._current_version(), now
                if self._current is not None:
                    self._paths[self._current.version] = self._current.object_path
            current = self._current
        return None if current is None else self._read(current.object_path)

    def get(self, version: int) -> Model:
        if version not in self._paths:
            raise KeyError(version)
        return self._read(self._paths[version])

