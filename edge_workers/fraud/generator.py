"""Seeded synthetic orders over 90 days: honest buyers, their look-alikes and five fraud
patterns, with each order's facts computed from earlier events only (the worker's windows).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from edge_workers.fraud.features import OrderFacts
from edge_workers.fraud.fraud_patterns import fraud_events
from edge_workers.fraud.history_windows import Windows
from edge_workers.fraud.populations import DAY, HOUR, Event, honest_events, population

SEED = 20261201
MISSING_DEVICE, MISSING_IP = 0.05, 0.05
DAYS = 90
PATTERNS: tuple[str, ...] = ("card_testing", "account_takeover", "velocity",
                             "country_mismatch", "new_account_high_value")


@dataclass(frozen=True)
class Row:
    """One generated order: its facts, whether it is fraud, and which pattern made it."""

    day: int
    facts: OrderFacts
    label: int
    pattern: str  # a fraud pattern, or "honest" / an honest look-alike's name


def generate(seed: int = SEED, days: int = DAYS, accounts: int = 30_000) -> list[Row]:
    """Every order of the period in time order (~200k with the defaults, seconds)."""
    return list(rows(seed, days, accounts))


def rows(seed: int = SEED, days: int = DAYS, accounts: int = 30_000) -> Iterator[Row]:
    """The orders one by one, each decided from what happened before it."""
    rng = random.Random(seed)
    people = population(rng, accounts)
    events = honest_events(rng, people, days)
    events += fraud_events(rng, people, days)
    events.sort(key=lambda event: (event.at, event.seq))
    windows, missing = Windows(), random.Random(seed + 1)
    for event in events:
        if event.kind == "password_reset":
            windows.record_reset(event.account, event.at)
            continue
        if event.kind == "registration":
            windows.record_registration(event.account, event.at)
            continue
        _lose_identifiers(missing, event)
        facts = _facts(windows, event)
        windows.record_order(event)
        if event.at < 0 or event.at >= days * DAY:
            continue
        yield Row(day=int(event.at // DAY), facts=facts, label=int(event.fraud),
                  pattern=event.pattern)


def _lose_identifiers(rng: random.Random, event: Event) -> None:
    """Some clients send no device id, and some addresses are unknown (as in the worker)."""
    if rng.random() < MISSING_DEVICE:
        event.device = None
    if rng.random() < MISSING_IP:
        event.ip = None


def _facts(windows: Windows, event: Event) -> OrderFacts:
    """The facts of an order from the windows before it."""
    at, account, device, ip = event.at, event.account, event.device, event.ip
    prior, mean = windows.prior(account)
    return OrderFacts(
        amount=event.amount,
        account_age_days=windows.age_days(account, at),
        prior_orders=prior,
        prior_amount_mean=mean,
        orders_account_1h=windows.count("order", "account", account, at - HOUR),
        orders_device_1h=windows.count("order", "device", device, at - HOUR),
        orders_ip_1h=windows.count("order", "ip", ip, at - HOUR),
        declines_account_24h=windows.count("decline", "account", account, at - DAY),
        declines_device_24h=windows.count("decline", "device", device, at - DAY),
        cards_account_24h=windows.distinct("card", "account", account, at - DAY),
        cards_device_24h=windows.distinct("card", "device", device, at - DAY),
        accounts_on_device_30d=windows.distinct("account", "device", device, at - 30 * DAY),
        new_device=windows.new_device(account, device, at - 30 * DAY),
        password_reset_24h=windows.reset_since(account, at - DAY),
        country_mismatch=event.client_country != event.shipping_country,
        method=event.method,
    )
