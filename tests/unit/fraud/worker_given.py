"""Givens of the fraud worker's unit tests: a clock time, screenings, signals, the model."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from common.domain.fraud import OrderScreening
from edge_workers.fraud.committed_models import newest_model_path
from edge_workers.fraud.scoring import OnnxScorer
from edge_workers.fraud.signals import Signal

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@lru_cache(maxsize=1)
def committed_scorer() -> OnnxScorer:
    """The committed model (the newest fraud-*.onnx), as the worker loads it."""
    return OnnxScorer.from_files(newest_model_path())


def screening(**overrides: object) -> OrderScreening:
    """An ordinary small card order from a fresh id, no client region (no mismatch)."""
    base = OrderScreening(subject=str(uuid.uuid4()), account_id=str(uuid.uuid4()),
                          device_id="device-" + uuid.uuid4().hex[:8], ip="203.0.113.7",
                          client_country=None, shipping_country="DE", amount=4000,
                          currency="EUR", method="card", card="pm_card_visa")
    return replace(base, **overrides)  # type: ignore[arg-type]


def signal(kind: str, ago: timedelta, **fields: object) -> Signal:
    """A signal of `kind` observed `ago` before NOW."""
    return Signal(event_id=str(uuid.uuid4()), kind=kind, at=NOW - ago, **fields)  # type: ignore[arg-type]
