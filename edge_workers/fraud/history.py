"""The fraud worker's history: signals counted in sliding windows, and decisions stored once.

`PostgresHistory` works inside the caller's transaction (one connection); `MemoryHistory`
keeps the same contract in memory, for unit tests and the benchmark.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy
from sqlalchemy import text

from common.domain.fraud import FraudDecision, OrderScreening, decision_from_wire
from edge_workers.fraud.features import OrderFacts
from edge_workers.fraud.signals import (
    ANY_KIND,
    BY_FIELDS,
    VALUE_FIELDS,
    Signal,
    check_field,
    check_kind,
)


@dataclass(frozen=True)
class PlacedOrder:
    """What deferred screening reads of an order row."""

    order_id: str
    buyer_id: str
    amount: int
    currency: str
    method: str
    shipping_country: str


class History(Protocol):
    def hold_windows(self, account_id: str | None, device_id: str | None,
                     ip: str | None) -> None:
        """Until this unit of work ends, keep out others that count the same account,
        device or IP (waiting for those already in): two signals of one burst, scored at
        the same instant, then each count the other."""
        ...

    def record(self, signal: Signal) -> bool:
        """Remember the signal (holding its windows first); False when its event_id was
        seen (nothing recorded)."""
        ...

    def count(self, kind: str, by: str, value: str, since: datetime) -> int:
        """Signals of `kind` with `by` = `value` at or after `since`."""
        ...

    def distinct(self, kind: str, field: str, by: str, value: str, since: datetime) -> int:
        """Distinct non-null `field` values among those signals."""
        ...

    def signals(self, kind: str, since: datetime, *, by: str | None = None,
                value: str | None = None, limit: int = 500) -> list[Signal]:
        """The newest signals first (at most `limit`)."""
        ...

    def account_created_at(self, account_id: str) -> datetime | None:
        """When the account was created; None if there is no such account."""
        ...


class Decisions(Protocol):
    def stored_decision(self, subject: str) -> FraudDecision | None:
        """The decision taken on `subject`, if any."""
        ...

    def store_decision(self, subject: str, decision: FraudDecision, at: datetime
                       ) -> FraudDecision:
        """Store the decision unless one exists; the decision that is stored either way."""
        ...


class PlacedOrders(Protocol):
    def placed_order(self, order_id: str) -> PlacedOrder | None:
        """The order as placed; None if there is no such order."""
        ...


class MemoryHistory:
    """History and Decisions in memory (single-threaded use)."""

    def __init__(self, accounts: dict[str, datetime] | None = None) -> None:
        self.accounts = dict(accounts or {})
        self.recorded: list[Signal] = []
        self.decisions: dict[str, FraudDecision] = {}
        self.orders: dict[str, PlacedOrder] = {}
        self._event_ids: set[str] = set()

    def hold_windows(self, account_id: str | None, device_id: str | None,
                     ip: str | None) -> None:
        """Nothing to hold: one thread."""

    def record(self, signal: Signal) -> bool:
        if signal.event_id in self._event_ids:
            return False
        self._event_ids.add(signal.event_id)
        self.recorded.append(signal)
        return True

    def _matching(self, kind: str, since: datetime, by: str | None, value: str | None
                  ) -> list[Signal]:
        check_kind(kind)
        if by is not None:
            check_field(by, BY_FIELDS)
        return [s for s in self.recorded
                if (kind == ANY_KIND or s.kind == kind) and s.at >= since
                and (by is None or getattr(s, by) == value)]

    def count(self, kind: str, by: str, value: str, since: datetime) -> int:
        return len(self._matching(kind, since, by, value))

    def distinct(self, kind: str, field: str, by: str, value: str, since: datetime) -> int:
        check_field(field, VALUE_FIELDS)
        return len({getattr(s, field) for s in self._matching(kind, since, by, value)
                    if getattr(s, field) is not None})

    def signals(self, kind: str, since: datetime, *, by: str | None = None,
                value: str | None = None, limit: int = 500) -> list[Signal]:
        found = sorted(self._matching(kind, since, by, value), key=lambda s: s.at, reverse=True)
        return found[:limit]

    def account_created_at(self, account_id: str) -> datetime | None:
        return self.accounts.get(account_id)

    def stored_decision(self, subject: str) -> FraudDecision | None:
        return self.decisions.get(subject)

    def store_decision(self, subject: str, decision: FraudDecision, at: datetime
                       ) -> FraudDecision:
        return self.decisions.setdefault(subject, decision)

    def placed_order(self, order_id: str) -> PlacedOrder | None:
        return self.orders.get(order_id)

    def order_facts(self, screening: OrderScreening, now: datetime) -> OrderFacts:
        """The facts through the generic windows (order_screening.order_facts)."""
        from edge_workers.fraud.order_screening import order_facts

        return order_facts(screening, self, now)


def window_keys(account_id: str | None, device_id: str | None, ip: str | None) -> set[str]:
    """The lock keys of the windows a signal counts in."""
    pairs = (("account", account_id), ("device", device_id), ("ip", ip))
    return {f"fraud:{name}:{value}" for name, value in pairs if value}


# In the array's order (a function scan of unnest keeps it); a 64-bit hash of each key
# names its lock (two keys sharing a hash only wait for each other).
_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(key, 0))::text "
             "FROM unnest(CAST(:keys AS text[])) AS key")
_COLUMNS = "event_id, kind, at, account_id, device_id, ip, card, country, amount, subject, detail"
_RECORD = text(
    f"INSERT INTO fraud_signals ({_COLUMNS}) VALUES (:event_id, :kind, :at, :account_id, "
    ":device_id, :ip, :card, :country, :amount, :subject, CAST(:detail AS jsonb)) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING id")
_CREATED_AT = text("SELECT created_at FROM accounts WHERE id = CAST(:id AS uuid)")
_PLACED_ORDER = text(
    "SELECT id, buyer_id, total_amount, currency, payment_method, "
    "shipping_address ->> 'country' AS country FROM orders WHERE id = CAST(:id AS uuid)")
_STORED = text("SELECT decision FROM fraud_decisions WHERE subject = :subject")
_STORE = text(
    "INSERT INTO fraud_decisions (subject, decision, at) VALUES "
    "(:subject, CAST(:decision AS jsonb), :at) ON CONFLICT (subject) DO NOTHING RETURNING subject")


def _where(kind: str, by: str | None) -> str:
    """The WHERE clause over fixed column names (validated, never user input)."""
    check_kind(kind)
    clauses = ["at >= :since"]
    if kind != ANY_KIND:
        clauses.append("kind = :kind")
    if by is not None:
        clauses.append(f"{check_field(by, BY_FIELDS)} = :value")
    return " AND ".join(clauses)


class PostgresHistory:
    """History and Decisions in fraud_signals / fraud_decisions, in the caller's transaction."""

    def __init__(self, connection: sqlalchemy.Connection) -> None:
        self._connection = connection
        self._held: set[str] = set()

    def hold_windows(self, account_id: str | None, device_id: str | None,
                     ip: str | None) -> None:
        """Transaction-level advisory locks, one per key, taken in one sorted order (no
        deadlock between two holders) and released at commit or rollback."""
        keys = sorted(window_keys(account_id, device_id, ip) - self._held)
        if keys:
            self._connection.execute(_HOLD, {"keys": keys}).all()
            self._held.update(keys)

    def record(self, signal: Signal) -> bool:
        self.hold_windows(signal.account_id, signal.device_id, signal.ip)
        row = self._connection.execute(_RECORD, {
            "event_id": signal.event_id, "kind": signal.kind, "at": signal.at,
            "account_id": signal.account_id, "device_id": signal.device_id, "ip": signal.ip,
            "card": signal.card, "country": signal.country, "amount": signal.amount,
            "subject": signal.subject, "detail": json.dumps(signal.detail)}).first()
        return row is not None

    def count(self, kind: str, by: str, value: str, since: datetime) -> int:
        query = text(f"SELECT count(*) FROM fraud_signals WHERE {_where(kind, by)}")
        return int(self._connection.execute(
            query, {"kind": kind, "value": value, "since": since}).scalar_one())

    def distinct(self, kind: str, field: str, by: str, value: str, since: datetime) -> int:
        column = check_field(field, VALUE_FIELDS)
        query = text(f"SELECT count(DISTINCT {column}) FROM fraud_signals "
                     f"WHERE {_where(kind, by)}")
        return int(self._connection.execute(
            query, {"kind": kind, "value": value, "since": since}).scalar_one())

    def signals(self, kind: str, since: datetime, *, by: str | None = None,
                value: str | None = None, limit: int = 500) -> list[Signal]:
        query = text(f"SELECT {_COLUMNS} FROM fraud_signals WHERE {_where(kind, by)} "
                     "ORDER BY at DESC, id DESC LIMIT :limit")
        rows = self._connection.execute(
            query, {"kind": kind, "value": value, "since": since, "limit": limit})
        return [Signal(**row._asdict()) for row in rows]

    def account_created_at(self, account_id: str) -> datetime | None:
        if not _looks_like_uuid(account_id):
            return None
        return self._connection.execute(_CREATED_AT, {"id": account_id}).scalar_one_or_none()

    def stored_decision(self, subject: str) -> FraudDecision | None:
        stored = self._connection.execute(_STORED, {"subject": subject}).scalar_one_or_none()
        return None if stored is None else decision_from_wire(stored)

    def store_decision(self, subject: str, decision: FraudDecision, at: datetime
                       ) -> FraudDecision:
        inserted = self._connection.execute(_STORE, {
            "subject": subject, "decision": json.dumps(decision.to_wire()), "at": at}).first()
        if inserted is not None:
            return decision
        stored = self.stored_decision(subject)
        assert stored is not None  # the conflicting row is committed or ours
        return stored

    def placed_order(self, order_id: str) -> PlacedOrder | None:
        if not _looks_like_uuid(order_id):
            return None
        row = self._connection.execute(_PLACED_ORDER, {"id": order_id}).first()
        if row is None:
            return None
        return PlacedOrder(str(row.id), str(row.buyer_id), int(row.total_amount), row.currency,
                           row.payment_method, row.country or "")

    def order_facts(self, screening: OrderScreening, now: datetime) -> OrderFacts:
        """The facts in one statement (order_windows.py), for the order path's budget."""
        from edge_workers.fraud.order_windows import order_facts_in_one_query

        return order_facts_in_one_query(self._connection, screening, now)


def _looks_like_uuid(value: str) -> bool:
    """Whether `value` can be cast to uuid (a non-uuid account id is no account)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
