"""Federated learning rounds: serve the current model, accept device updates, aggregate.

A round is the time one model version is current. Devices download it, train on their own
data, and send one clipped update each; once FL_MIN_UPDATES arrived, the scheduled
aggregation clips, filters, averages with Gaussian noise, accounts the privacy spent, writes
the next version's immutable object (outside any transaction), then lists it, forgets the
round's updates and records fl.model_published in one transaction. Version 1 (seeded small
random factors over the promoted and popular products) is published by the first run.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import numpy as np

from common import clock
from common.domain import federated, privacy
from common.domain.errors import ModelNotPublished, StaleModelVersion, UpdateAlreadyReceived
from common.domain.events import FlModelPublished
from common.domain.pseudonyms import pseudonym
from common.logs import log
from common.ports.models import Model, ModelObjects, ModelVersion
from common.settings import Settings

logger = logging.getLogger(__name__)
INITIAL_SEED = 20261201


@dataclass(frozen=True)
class ServedModel:
    version: int
    url: str
    dim: int
    items: int
    hyper: dict[str, Any]


def serve_model(*, uow: Callable[[], Any], base_url: str) -> ServedModel:
    """The current version and its object's public URL; ModelNotPublished before v1."""
    with uow() as tx:
        current = tx.federated.current_version()
    if current is None:
        raise ModelNotPublished()
    return ServedModel(current.version, f"{base_url}/{current.object_path}", current.dim,
                       current.items, current.hyper)


def submit_update(account_id: str, model_version: int, values: object, num_examples: int, *,
                  uow: Callable[[], Any], clip_norm: float, pseudonym_key: bytes) -> int:
    """Store one device's update for the current version, keyed by the account's pseudonym
    (never its id); the version it joined.

    Raises StaleModelVersion for another version, InvalidModelUpdate for a wrong shape,
    NaN/inf or a norm beyond the clip, UpdateAlreadyReceived for a second one this round.
    """
    client = pseudonym("account", account_id, pseudonym_key)
    with uow() as tx:
        current = tx.federated.current_version()
        if current is None or current.version != model_version:
            raise _stale(current)
        update = federated.checked_update(values, (current.items, current.dim), clip_norm)
        outcome = tx.federated.add_update(model_version, client, num_examples, update,
                                          federated.l2_norm(update), clock.now())
        if outcome == "stale":
            raise _stale(tx.federated.current_version())
        if outcome == "duplicate":
            raise UpdateAlreadyReceived()
        tx.commit()
    return model_version


def _stale(current: ModelVersion | None) -> StaleModelVersion:
    newest = None if current is None else current.version
    return StaleModelVersion(current_version=newest)


def aggregate_round(*, uow: Callable[[], Any], objects: ModelObjects, settings: Settings,
                    rng: np.random.Generator | None = None) -> dict[str, Any]:
    """Publish v1 if none exists, else the next version once enough updates arrived."""
    rng = rng or np.random.default_rng(secrets.randbits(128))
    now = clock.now()
    with uow() as tx:
        current = tx.federated.current_version()
        if current is None:
            items = tx.federated.model_items(settings.fl_max_items, now)
        else:
            count = tx.federated.update_count(current.version)
            if count < settings.fl_min_updates:
                return _logged({"published": None, "version": current.version,
                                "updates": count})
            shape = (current.items, current.dim)
            updates = tx.federated.updates(current.version, shape)
            items = tx.federated.model_items(settings.fl_max_items, now)
            population = tx.federated.population()
            past = tx.federated.past_rounds()
    if current is None and not items:
        return _logged({"published": None, "version": None, "reason": "no listed products"})
    if current is None:
        factors = federated.initial_factors(len(items), settings.fl_dim, INITIAL_SEED)
        model = Model(1, settings.fl_dim, tuple(items), factors,
                      federated.training_hyper(settings.fl_clip_norm, settings.fl_dim))
        return _logged(_publish(model, ModelVersion(1, "", model.dim, len(items), model.hyper,
                                                    now), uow=uow, objects=objects))
    return _next_version(current, updates, items, population, past, now,
                         uow=uow, objects=objects, settings=settings, rng=rng)


def _next_version(current: ModelVersion, updates: list[tuple[str, int, np.ndarray]],
                  items: list[str], population: int, past: list[tuple[float, float]],
                  now: datetime, *, uow: Callable[[], Any], objects: ModelObjects,
                  settings: Settings, rng: np.random.Generator) -> dict[str, Any]:
    """Average the round into the current factors and publish them as the next version."""
    result = federated.aggregate(
        [u for _, _, u in updates], [n for _, n, _ in updates],
        clip_norm=settings.fl_clip_norm, max_weight=settings.fl_max_weight,
        noise_multiplier=settings.fl_noise_multiplier, rng=rng)
    base = objects.read(current.object_path)
    trained = federated.apply(base.item_factors, result.delta, settings.fl_server_lr)
    version = current.version + 1
    factors = federated.carry_over(base.item_ids, trained, items, seed=INITIAL_SEED + version)
    q = privacy.sampling_rate(len(updates), population)
    delta = privacy.default_delta(population)
    spent = privacy.epsilon_of_rounds([*past, (q, settings.fl_noise_multiplier)], delta)
    hyper = federated.training_hyper(settings.fl_clip_norm, current.dim)
    model = Model(version, current.dim, tuple(items), factors, hyper)
    record = ModelVersion(version, "", current.dim, len(items), hyper, now,
                          round_updates=len(updates), sampling_rate=q,
                          noise_multiplier=settings.fl_noise_multiplier,
                          epsilon=None if spent == float("inf") else spent, delta=delta)
    summary = _publish(model, record, uow=uow, objects=objects)
    return _logged({**summary, "updates": len(updates), "dropped": len(result.dropped)})


def _publish(model: Model, record: ModelVersion, *, uow: Callable[[], Any],
             objects: ModelObjects) -> dict[str, Any]:
    """Write the object, then list the version, forget the round and record the event."""
    path = objects.write(model)
    listed = ModelVersion(**{**record.__dict__, "object_path": path})
    with uow() as tx:
        if not tx.federated.try_lock_round() or not tx.federated.add_version(listed):
            return {"published": None, "version": model.version - 1,
                    "reason": "another run published this version"}
        tx.federated.forget_updates(model.version - 1)
        tx.record(FlModelPublished(
            version=model.version, object_path=path, dim=model.dim, items=len(model.item_ids),
            round_updates=listed.round_updates, epsilon=listed.epsilon))
        tx.commit()
    return {"published": model.version, "version": model.version,
            "items": len(model.item_ids), "epsilon": listed.epsilon}


def _logged(summary: dict[str, Any]) -> dict[str, Any]:
    log(logger, logging.INFO, "federated round", **summary)
    return summary
