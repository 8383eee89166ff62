"""Screens an order: its facts from the worker's history, decision.decide(), and the decision
stored once per subject with an `order` signal, so retries and replays decide once.

The caller runs screen_order() inside one transaction (PostgresHistory on its connection).
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from common.domain.fraud import FraudDecision, OrderScreening
from edge_workers.fraud.decision import Scorer, decide
from edge_workers.fraud.features import METHODS, OrderFacts
from edge_workers.fraud.history import Decisions, History
from edge_workers.fraud.signals import Signal

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
MONTH = 30 * DAY
EVER = datetime(2000, 1, 1, tzinfo=timezone.utc)
PRIOR_ORDERS_READ = 500  # an account's mean is taken over at most its newest 500 orders


class ScreeningHistory(History, Decisions, Protocol):
    """What screening needs: the windows, the decisions, and the facts read at once."""

    def order_facts(self, screening: OrderScreening, now: datetime) -> OrderFacts:
        """order_facts() below, or an equal but faster reading of the same windows."""
        ...


class InvalidScreening(ValueError):
    """A decision request that is not an OrderScreening; `field` says which part."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field, self.detail = field, detail


COUNTRY = re.compile(r"^[A-Z]{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = 10**12
_TEXT_LIMITS = {"subject": 200, "account_id": 200, "device_id": 128, "ip": 64, "card": 200,
                "client_country": 2, "shipping_country": 2, "currency": 3, "method": 20}
_OPTIONAL = frozenset({"device_id", "ip", "client_country", "card"})


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None and name in _OPTIONAL:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= _TEXT_LIMITS[name]:
        raise InvalidScreening(name, f"a string of 1-{_TEXT_LIMITS[name]} characters")
    return value


def screening_from_json(body: Any) -> OrderScreening:
    """The request body as an OrderScreening; InvalidScreening names the first bad field."""
    if not isinstance(body, dict):
        raise InvalidScreening("body", "a JSON object")
    unknown = sorted(set(body) - {f.name for f in fields(OrderScreening)})
    if unknown:
        raise InvalidScreening(unknown[0], "not a field of a decision request")
    values = {name: _text(body, name) for name in _TEXT_LIMITS}
    for name, pattern in (("client_country", COUNTRY), ("shipping_country", COUNTRY),
                          ("currency", CURRENCY)):
        if values[name] is not None and not pattern.match(str(values[name])):
            raise InvalidScreening(name, f"matches {pattern.pattern}")
    if values["method"] not in METHODS:
        raise InvalidScreening("method", f"one of {', '.join(METHODS)}")
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidScreening("amount", "a positive integer of minor units")
    return OrderScreening(amount=amount, **values)  # type: ignore[arg-type]


def order_event_id(subject: str) -> str:
    """The event id of the `order` signal of a screened order (one per subject)."""
    return f"order:{subject}"


def _count(history: History, kind: str, by: str, value: str | None, since: datetime) -> int:
    return 0 if value is None else history.count(kind, by, value, since)


def _distinct(history: History, field: str, by: str, value: str | None,
              since: datetime) -> int:
    return 0 if value is None else history.distinct("order", field, by, value, since)


def order_facts(screening: OrderScreening, history: History, now: datetime) -> OrderFacts:
    """Everything known before the decision, in the windows the model was trained on."""
    account, device, ip = screening.account_id, screening.device_id, screening.ip
    created = history.account_created_at(account)
    prior = history.signals("order", EVER, by="account_id", value=account,
                            limit=PRIOR_ORDERS_READ)
    recent_devices = {s.device_id for s in prior if s.at >= now - MONTH}
    amounts = [s.amount for s in prior if s.amount is not None]
    return OrderFacts(
        amount=screening.amount,
        account_age_days=0.0 if created is None else max(0.0, (now - created) / DAY),
        prior_orders=len(prior),
        prior_amount_mean=sum(amounts) / len(amounts) if amounts else 0.0,
        orders_account_1h=_count(history, "order", "account_id", account, now - HOUR),
        orders_device_1h=_count(history, "order", "device_id", device, now - HOUR),
        orders_ip_1h=_count(history, "order", "ip", ip, now - HOUR),
        declines_account_24h=_count(history, "decline", "account_id", account, now - DAY),
        declines_device_24h=_count(history, "decline", "device_id", device, now - DAY),
        cards_account_24h=_distinct(history, "card", "account_id", account, now - DAY),
        cards_device_24h=_distinct(history, "card", "device_id", device, now - DAY),
        accounts_on_device_30d=_distinct(history, "account_id", "device_id", device,
                                         now - MONTH),
        new_device=device is not None and bool(recent_devices) and device not in recent_devices,
        password_reset_24h=_count(history, "password_reset", "account_id", account,
                                  now - DAY) > 0,
        country_mismatch=(screening.client_country is not None
                          and screening.client_country != screening.shipping_country),
        method=screening.method,
    )


def screen_order(screening: OrderScreening, history: ScreeningHistory, scorer: Scorer,
                 now: datetime) -> tuple[FraudDecision, OrderFacts | None]:
    """The decision on the order: the stored one for a subject decided before (facts None),
    else a new one, stored with its `order` signal. Optimistic: the decision is computed
    first and the unique subject decides which one is kept (a replay is rare). The windows
    are held first, so concurrent orders of one account, device or IP are decided one
    after the other, each counting those before it."""
    history.hold_windows(screening.account_id, screening.device_id, screening.ip)
    facts = history.order_facts(screening, now)
    decision = decide(facts, scorer)
    kept = history.store_decision(screening.subject, decision, now)
    if kept is not decision:
        return kept, None
    history.record(Signal(
        event_id=order_event_id(screening.subject), kind="order", at=now,
        account_id=screening.account_id, device_id=screening.device_id, ip=screening.ip,
        card=screening.card, country=screening.client_country, amount=screening.amount,
        subject=screening.subject,
        detail={"action": decision.action, "method": screening.method,
                "shipping_country": screening.shipping_country}))
    return decision, facts


def evidence_of(facts: OrderFacts | None) -> dict[str, object]:
    """The facts a case shows an admin (counts and flags, no personal data)."""
    return {} if facts is None else asdict(facts)
