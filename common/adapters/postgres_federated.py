"""PostgresFederatedRounds: model versions (fl_models), the device updates of the current
round (fl_updates), and what choosing the model's items and accounting privacy read."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

import numpy as np
import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.unit_of_work import UnitOfWork
from common.ports.models import ModelVersion

_VERSION_COLUMNS = ("version, object_path, dim, items, hyper, created_at, round_updates, "
                    "sampling_rate, noise_multiplier, epsilon, delta")
_CURRENT = text(f"SELECT {_VERSION_COLUMNS} FROM fl_models ORDER BY version DESC LIMIT 1")
_ADD_VERSION = text("""
INSERT INTO fl_models (version, object_path, dim, items, hyper, created_at, round_updates,
                       sampling_rate, noise_multiplier, epsilon, delta)
VALUES (:version, :object_path, :dim, :items, CAST(:hyper AS jsonb), :created_at,
        :round_updates, :sampling_rate, :noise_multiplier, :epsilon, :delta)
ON CONFLICT (version) DO NOTHING RETURNING version""")
# The staleness check and the insert are one statement: an update lands only on the newest.
_ADD_UPDATE = text("""
INSERT INTO fl_updates (model_version, client, num_examples, "update", norm, received_at)
SELECT :version, :client, :num_examples, :update, :norm, :received_at
FROM (SELECT max(version) AS version FROM fl_models) AS newest
WHERE newest.version = :version
ON CONFLICT (model_version, client) DO NOTHING RETURNING model_version""")
_NEWEST = text("SELECT max(version) AS version FROM fl_models")
_UPDATES = text("""
SELECT client, num_examples, "update" FROM fl_updates WHERE model_version = :version
ORDER BY received_at, client""")
_COUNT = text("SELECT count(*) FROM fl_updates WHERE model_version = :version")
_FORGET = text("DELETE FROM fl_updates WHERE model_version <= :version")
_ROUNDS = text("SELECT sampling_rate, noise_multiplier FROM fl_models "
               "WHERE round_updates > 0 ORDER BY version")
_POPULATION = text("SELECT count(*) FROM accounts WHERE role = 'customer' AND state = 'active'")
# Promoted (scheduled or running) first, then by units sold, then the newest listed.
_ITEMS = text("""
SELECT p.id FROM products p
LEFT JOIN (SELECT DISTINCT product_id FROM promotions
           WHERE status IN ('scheduled', 'active') AND ends_at > :now) pr
       ON pr.product_id = p.id
LEFT JOIN (SELECT l.product_id, sum(l.quantity) AS sold FROM order_lines l
           JOIN order_parts o ON o.id = l.part_id
           WHERE o.status IN ('paid', 'shipped', 'delivered') GROUP BY l.product_id) s
       ON s.product_id = p.id
WHERE p.status = 'listed'
ORDER BY (pr.product_id IS NOT NULL) DESC, coalesce(s.sold, 0) DESC, p.created_at DESC, p.id
LIMIT :limit""")
# One aggregation at a time (a second run skips): the lock ends with the transaction.
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtext('bazaar.fl_round'))")

AddResult = Literal["accepted", "stale", "duplicate"]


class PostgresFederatedRounds:
    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._db = connection

    def current_version(self) -> ModelVersion | None:
        """The newest published version, or None before version 1."""
        row = self._db.execute(_CURRENT).one_or_none()
        return None if row is None else _version(row)

    def add_version(self, record: ModelVersion) -> bool:
        """List a published version; False when that number is taken (another run's)."""
        values = {**record.__dict__, "hyper": json.dumps(record.hyper)}
        return self._db.execute(_ADD_VERSION, values).one_or_none() is not None

    def add_update(self, version: int, client: str, num_examples: int, update: np.ndarray,
                   norm: float, received_at: datetime) -> AddResult:
        """Store a device's update for `version` if that is the newest and it sent none."""
        row = self._db.execute(_ADD_UPDATE, {
            "version": version, "client": client, "num_examples": num_examples,
            "update": np.asarray(update, dtype="<f4").tobytes(), "norm": norm,
            "received_at": received_at}).one_or_none()
        if row is not None:
            return "accepted"
        newest = self._db.execute(_NEWEST).scalar_one()
        return "duplicate" if newest == version else "stale"

    def update_count(self, version: int) -> int:
        return int(self._db.execute(_COUNT, {"version": version}).scalar_one())

    def updates(self, version: int, shape: tuple[int, int]) -> list[tuple[str, int, np.ndarray]]:
        """The round's updates as (client, num_examples, items × dim float array)."""
        rows = self._db.execute(_UPDATES, {"version": version})
        return [(row.client, row.num_examples,
                 np.frombuffer(bytes(row.update), dtype="<f4").astype(np.float64).reshape(shape))
                for row in rows]

    def forget_updates(self, up_to_version: int) -> None:
        """Delete the updates of rounds that are over: no device's update outlives its round."""
        self._db.execute(_FORGET, {"version": up_to_version})

    def past_rounds(self) -> list[tuple[float, float]]:
        """(sampling rate, noise multiplier) of every aggregated round, oldest first."""
        return [(row.sampling_rate, row.noise_multiplier) for row in self._db.execute(_ROUNDS)]

    def population(self) -> int:
        """Devices that may take part: active customer accounts."""
        return int(self._db.execute(_POPULATION).scalar_one())

    def model_items(self, limit: int, now: datetime) -> list[str]:
        """The products the model should cover: promoted, then popular, then new ones."""
        return [str(row.id) for row in self._db.execute(_ITEMS, {"limit": limit, "now": now})]

    def try_lock_round(self) -> bool:
        """Take the round lock for this transaction; False when another run holds it."""
        return bool(self._db.execute(_TRY_LOCK).scalar_one())


def newest_model_version(engine: sqlalchemy.Engine) -> ModelVersion | None:
    """The newest published version, read in a short transaction of its own (the feed)."""
    with translated_errors(), engine.connect() as connection:
        return PostgresFederatedRounds(connection).current_version()


def _version(row: sqlalchemy.Row) -> ModelVersion:
    hyper = row.hyper if isinstance(row.hyper, dict) else json.loads(row.hyper)
    return ModelVersion(
        version=row.version, object_path=row.object_path, dim=row.dim, items=row.items,
        hyper=hyper, created_at=row.created_at, round_updates=row.round_updates,
        sampling_rate=row.sampling_rate, noise_multiplier=row.noise_multiplier,
        epsilon=row.epsilon, delta=row.delta)


class FederatedUnitOfWork(UnitOfWork):
    """The common unit of work plus `federated` (role bazaar_federated, migration 0015)."""

    def __enter__(self) -> "FederatedUnitOfWork":
        super().__enter__()
        self.federated = PostgresFederatedRounds(self.connection)
        return self
