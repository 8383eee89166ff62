"""PostgresPreferences: user_features and device_links (migration 0014), inside a unit of
work's transaction; PostgresPreferenceReads: the features the feed reads."""

from __future__ import annotations

import json
from typing import Mapping, Sequence

import sqlalchemy
from sqlalchemy import text

from common.adapters.database import translated_errors
from common.adapters.row_locks import RowLocks
from common.adapters.unit_of_work import UnitOfWork
from common.domain.preferences import Preferences, ProductFacts, RecentItem

_COLUMNS = "pseudonym, category_weights, vendor_weights, price_band, recent, bought, updated_at"
_CREATE = text("INSERT INTO user_features (pseudonym) "
               "SELECT unnest(CAST(:pseudonyms AS text[])) ON CONFLICT DO NOTHING")
# Pseudonyms are 32 hex digits: RowLocks orders them as the uuids they spell, as text sorts.
_LOCK = (f"SELECT {_COLUMNS} FROM user_features "
         "WHERE pseudonym = ANY(CAST(:pseudonyms AS text[])) ORDER BY pseudonym")
_READ = text(f"SELECT {_COLUMNS} FROM user_features WHERE pseudonym = :pseudonym")
_SAVE = text(
    "UPDATE user_features SET category_weights = CAST(:categories AS jsonb), "
    "vendor_weights = CAST(:vendors AS jsonb), price_band = CAST(:bands AS jsonb), "
    "recent = CAST(:recent AS jsonb), bought = CAST(:bought AS jsonb), updated_at = :updated_at "
    "WHERE pseudonym = :pseudonym")
_LINK = text("INSERT INTO device_links (device_pseudonym, account_pseudonym) "
             "VALUES (:device, :account) ON CONFLICT DO NOTHING RETURNING device_pseudonym")
_PRODUCTS = text("SELECT id, vendor_id, category_id, subcategory_id, price_amount FROM products "
                 "WHERE id = ANY(CAST(:ids AS uuid[]))")
_ORDERED = text("SELECT product_id FROM order_lines WHERE order_id = :order_id "
                "ORDER BY product_id")


def _preferences(row: sqlalchemy.Row) -> Preferences:
    return Preferences(
        pseudonym=row.pseudonym, category_weights=dict(row.category_weights),
        vendor_weights=dict(row.vendor_weights), price_band=dict(row.price_band),
        recent=tuple(RecentItem(**item) for item in row.recent), bought=tuple(row.bought),
        updated_at=row.updated_at)


class PostgresPreferences:
    def __init__(self, connection: sqlalchemy.Connection, locks: RowLocks) -> None:
        self._db, self._locks = connection, locks

    def locked(self, pseudonyms: Sequence[str]) -> dict[str, Preferences]:
        """Each pseudonym's row (created empty if missing), locked in pseudonym order."""
        names = sorted(set(pseudonyms))
        with translated_errors():
            self._db.execute(_CREATE, {"pseudonyms": names})
            locking = self._locks.clause("user_features", names)
            rows = self._db.execute(text(_LOCK + locking), {"pseudonyms": names}).all()
        return {row.pseudonym: _preferences(row) for row in rows}

    def save(self, prefs: Preferences) -> None:
        recent = [{"product_id": i.product_id, "type": i.type, "at": i.at} for i in prefs.recent]
        with translated_errors():
            self._db.execute(_SAVE, {
                "pseudonym": prefs.pseudonym, "categories": json.dumps(prefs.category_weights),
                "vendors": json.dumps(prefs.vendor_weights),
                "bands": json.dumps(prefs.price_band), "recent": json.dumps(recent),
                "bought": json.dumps(list(prefs.bought)), "updated_at": prefs.updated_at})

    def link_device(self, device_pseudonym: str, account_pseudonym: str) -> bool:
        with translated_errors():
            row = self._db.execute(_LINK, {"device": device_pseudonym,
                                           "account": account_pseudonym}).first()
        return row is not None

    def products(self, product_ids: Sequence[str]) -> Mapping[str, ProductFacts]:
        if not product_ids:
            return {}
        with translated_errors():
            rows = self._db.execute(_PRODUCTS, {"ids": sorted(set(product_ids))}).all()
        return {str(r.id): ProductFacts(str(r.id), str(r.vendor_id), r.category_id,
                                        r.subcategory_id, r.price_amount) for r in rows}

    def ordered_products(self, order_id: str) -> list[str]:
        with translated_errors():
            rows = self._db.execute(_ORDERED, {"order_id": order_id}).all()
        return [str(row.product_id) for row in rows]


class PreferencesUnitOfWork(UnitOfWork):
    """The common unit of work plus `preferences`."""

    def __enter__(self) -> "PreferencesUnitOfWork":
        super().__enter__()
        self.preferences = PostgresPreferences(self.connection, self.locks)
        return self


class PostgresPreferenceReads:
    """The read port of the promoted feed: one pseudonym's features, no lock."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    def features_of(self, pseudonym: str) -> Preferences | None:
        with translated_errors(), self._engine.connect() as db:
            row = db.execute(_READ, {"pseudonym": pseudonym}).first()
        return _preferences(row) if row is not None and row.updated_at is not None else None
