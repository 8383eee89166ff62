"""Helpers of the round lifecycle tests: the use cases as the federated functions run them
(role bazaar_federated, the stack's PostgreSQL and fake-gcs-server), with round settings."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from sqlalchemy import text

from common import bootstrap
from common.adapters.gcs_models import GcsModelObjects
from common.adapters.postgres_federated import FederatedUnitOfWork
from common.ports.models import Model, ModelVersion
from common.services import federated_rounds
from tests.integration.reviews.purchases import new_account, new_product

ROLE = "bazaar_federated"


def uow() -> FederatedUnitOfWork:
    """A unit of work connected as the federated functions' role (no relay: the sweep's)."""
    with bootstrap.database_role(ROLE):
        return FederatedUnitOfWork(bootstrap.engine(), relay=None)


def round_settings(**changes: Any):
    """The stack's settings with this test's round parameters."""
    return dataclasses.replace(bootstrap.settings(), **changes)


def objects() -> GcsModelObjects:
    return GcsModelObjects(bootstrap.settings())


def aggregate(min_updates: int, noise: float = 0.0, seed: int = 0) -> dict[str, Any]:
    return federated_rounds.aggregate_round(
        uow=uow, objects=objects(),
        settings=round_settings(fl_min_updates=min_updates, fl_noise_multiplier=noise),
        rng=np.random.default_rng(seed))


def current() -> tuple[ModelVersion, Model]:
    """The current version (publishing v1 first if the session has none) and its model."""
    with uow() as tx:
        record = tx.federated.current_version()
    if record is None:
        new_product(new_account("vendor"))
        aggregate(min_updates=1)
        with uow() as tx:
            record = tx.federated.current_version()
    assert record is not None
    return record, objects().read(record.object_path)


def finish_round() -> None:
    """Aggregate whatever is pending (any count), so the next test starts a clean round."""
    with uow() as tx:
        record = tx.federated.current_version()
        pending = 0 if record is None else tx.federated.update_count(record.version)
    if pending:
        aggregate(min_updates=1)


def submit(account_id: str, version: int, update: Any, num_examples: int = 10) -> int:
    return federated_rounds.submit_update(
        account_id, version, update, num_examples, uow=uow, clip_norm=1.0,
        pseudonym_key=bootstrap.settings().pseudonym_hmac_key())


def honest(shape: tuple[int, int], count: int, seed: int) -> list[np.ndarray]:
    """Updates sharing one direction (norm ≈ 0.3) with small per-device differences."""
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=shape)
    direction *= 0.3 / np.linalg.norm(direction)
    return [direction + rng.normal(0.0, 0.01 / np.sqrt(direction.size), size=shape)
            for _ in range(count)]


def customers(count: int) -> list[str]:
    return [new_account("customer") for _ in range(count)]


def published_event(version: int) -> dict[str, Any] | None:
    with bootstrap.engine().connect() as db:
        row = db.execute(text(
            "SELECT payload FROM outbox_events WHERE type = 'fl.model_published' "
            "AND (payload ->> 'version')::int = :version"), {"version": version}).one_or_none()
    return None if row is None else dict(row.payload)


def pending_updates(version: int) -> int:
    with uow() as tx:
        return tx.federated.update_count(version)


def population() -> int:
    with uow() as tx:
        return tx.federated.population()


def past_rounds() -> list[tuple[float, float]]:
    with uow() as tx:
        return tx.federated.past_rounds()
