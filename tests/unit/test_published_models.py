"""The model store the feed reads: the current version rechecked per TTL, each object read
once, and the model object's JSON codec."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from common.adapters.gcs_models import (
    PublishedModels,
    model_document,
    model_from_document,
    object_path,
)
from common.ports.models import Model, ModelVersion

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def model(version: int) -> Model:
    return Model(version, 2, ("a", "b"), np.full((2, 2), float(version)), {"clip_norm": 1.0})


class FakeVersions:
    def __init__(self) -> None:
        self.current: int | None = None
        self.reads = 0

    def __call__(self) -> ModelVersion | None:
        self.reads += 1
        if self.current is None:
            return None
        return ModelVersion(self.current, f"models/v{self.current}.json", 2, 2, {}, NOW)


class FakeObjects:
    def __init__(self) -> None:
        self.reads: list[str] = []

    def read(self, path: str) -> Model:
        self.reads.append(path)
        return model(int(path.split("/v")[1].split(".")[0]))


def test_current_is_none_before_version_one():
    store = PublishedModels(FakeVersions(), FakeObjects().read)
    assert store.current() is None


def test_current_rechecks_the_version_only_after_the_ttl():
    # Given version 1 current, and a clock
    versions, objects, now = FakeVersions(), FakeObjects(), [0.0]
    versions.current = 1
    store = PublishedModels(versions, objects.read, clock=lambda: now[0], ttl_s=10.0)
    assert store.current().version == 1

    # When version 2 is published, Then readers see it only once the TTL has passed
    versions.current = 2
    now[0] = 9.0
    assert store.current().version == 1
    now[0] = 10.0
    assert store.current().version == 2
    assert versions.reads == 2
    # And an earlier version it saw stays readable by number
    assert store.get(1).version == 1
    with pytest.raises(KeyError):
        store.get(7)


def test_the_document_round_trips_to_six_decimals():
    # Given a model with factors of many decimals
    original = Model(3, 2, ("p1", "p2", "p3"), np.array([[0.1234567, -1.0], [0.0, 2.5],
                                                         [1e-9, -0.0000004]]), {"dim": 2})

    # When written and read back
    back = model_from_document(model_document(original))

    # Then ids, shape and hyper are the same, the factors to 6 decimals
    assert (back.version, back.dim, back.item_ids, back.hyper) == (3, 2, ("p1", "p2", "p3"),
                                                                   {"dim": 2})
    assert back.item_factors.tolist() == [[0.123457, -1.0], [0.0, 2.5], [0.0, -0.0]]
    assert back.factor_of("p2").tolist() == [0.0, 2.5]
    assert back.factor_of("unknown") is None


def test_object_paths_are_content_addressed_per_version():
    first, second = model_document(model(1)), model_document(model(2))
    assert object_path(1, first) == object_path(1, first)
    assert object_path(1, first) != object_path(1, second)
    assert object_path(4, first).startswith("models/v4-")
