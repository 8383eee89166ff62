"""Honest buyers for the generator: accounts, devices, IPs, cards, and their orders, with the
look-alikes of fraud (frequent buyers, travellers, large first purchases, shared devices,
new phones after a password reset).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from itertools import count

HOUR = 3_600.0
DAY = 86_400.0
WARM_UP_DAYS = 30  # honest history before day 0, so that day 0 has prior orders
HOME = ("DE", "FR", "NL", "ES", "IT", "AT", "BE", "PL", "SE", "PT")
ABROAD = ("US", "GB", "CH", "TR", "NG", "RU", "BR", "VN", "IN", "CN", "UA", "ID")
METHOD_WEIGHTS = (("card", 0.70), ("paypal", 0.22), ("bank_transfer", 0.08))
_sequence = count()


@dataclass
class Event:
    """An order, a password reset or a registration, at seconds from day 0."""

    at: float
    kind: str
    account: str
    device: str | None = None
    ip: str | None = None
    card: str | None = None
    amount: int = 0
    method: str = "card"
    client_country: str = "DE"
    shipping_country: str = "DE"
    declined: bool = False
    fraud: bool = False
    pattern: str = "honest"
    seq: int = field(default_factory=lambda: next(_sequence))


@dataclass
class Account:
    """An honest buyer and what it buys with."""

    id: str
    created: float
    country: str
    rate: float  # orders a day
    mean_amount: float
    devices: list[str]
    home_ip: str
    cards: list[str]
    method: str
    kind: str = "honest"


def population(rng: random.Random, accounts: int) -> list[Account]:
    """Honest accounts; some in families that share a device and an IP."""
    people = [_account(rng, n) for n in range(accounts)]
    n = 0
    while n < len(people):
        size = rng.choice((2, 2, 3, 4)) if rng.random() < 0.05 else 1
        for member in people[n + 1:n + size]:
            member.devices[0], member.home_ip = people[n].devices[0], people[n].home_ip
            member.kind = people[n].kind = "shared_device"
        n += size
    return people


def _account(rng: random.Random, n: int) -> Account:
    """One honest account."""
    old = rng.random() < 0.55
    created = (-rng.uniform(WARM_UP_DAYS, 720) if old else rng.uniform(-WARM_UP_DAYS, 90)) * DAY
    frequent = rng.random() < 0.06
    rate = rng.lognormvariate(math.log(0.05), 0.6) * (6 if frequent else 1)
    devices = [f"d{n}"] + ([f"d{n}b"] if rng.random() < 0.25 else [])
    cards = [f"c{n}"] + ([f"c{n}b"] if rng.random() < 0.30 else [])
    return Account(
        id=f"a{n}", created=created, country=rng.choice(HOME), rate=rate,
        mean_amount=min(50_000.0, max(500.0, rng.lognormvariate(math.log(4_000), 0.7))),
        devices=devices, home_ip=f"ip{n}", cards=cards, method=_method(rng),
        kind="frequent_buyer" if frequent else "honest")


def _method(rng: random.Random) -> str:
    """A payment method, by how often buyers use each."""
    return rng.choices([m for m, _ in METHOD_WEIGHTS], [w for _, w in METHOD_WEIGHTS])[0]


def honest_events(rng: random.Random, people: list[Account], days: int) -> list[Event]:
    """Every honest registration, reset and order from the warm-up to the last day."""
    events: list[Event] = []
    for account in people:
        events.append(Event(at=account.created, kind="registration", account=account.id))
        events += _orders(rng, account, days)
        if rng.random() < 0.03:
            events += _new_phone(rng, account, days)
    return events


def _orders(rng: random.Random, account: Account, days: int) -> list[Event]:
    """The account's ordinary orders, with follow-ups, declines, trips and a big first one."""
    start = max(account.created, -WARM_UP_DAYS * DAY)
    span = days * DAY - start
    times = sorted(rng.uniform(start, days * DAY)
                   for _ in range(_poisson(rng, account.rate * span / DAY)))
    if account.created > -WARM_UP_DAYS * DAY and rng.random() < 0.7:
        # most new accounts are made at checkout: the first order follows within minutes
        delay = rng.uniform(20, 1_800) if rng.random() < 0.75 else rng.uniform(1_800, 2 * DAY)
        times.insert(0, account.created + delay)
    trip = _trip(rng, days)
    events: list[Event] = []
    for index, at in enumerate(times):
        first_big = index == 0 and account.created > start - 1 and rng.random() < 0.06
        events += _order_and_retries(rng, account, at, trip, first_big)
        if rng.random() < (0.25 if account.kind == "frequent_buyer" else 0.08):
            events += _order_and_retries(rng, account, at + rng.uniform(300, 3_000), trip,
                                         False)
    return events


def _order_and_retries(rng: random.Random, account: Account, at: float,
                       trip: tuple[float, float, str] | None, first_big: bool) -> list[Event]:
    """One honest order; a declined payment is retried within minutes, often another card."""
    order = _order(rng, account, at, trip, first_big)
    events = [order]
    stubborn = rng.random() < 0.3  # an expired card, tried again and again
    while order.declined and len(events) < 4 and rng.random() < (0.9 if stubborn else 0.7):
        card = order.card
        order = _order(rng, account, order.at + rng.uniform(30, 900), trip, first_big)
        if stubborn:
            order.card, order.declined = card, rng.random() < 0.7
        events.append(order)
    return events


def _order(rng: random.Random, account: Account, at: float,
           trip: tuple[float, float, str] | None, first_big: bool) -> Event:
    """One honest order at a time, where the buyer is then."""
    on_trip = trip is not None and trip[0] <= at < trip[1]
    client = trip[2] if on_trip and trip else account.country
    abroad_gift = rng.random() < (0.25 if first_big else 0.015)
    amount = (rng.uniform(50_000, 300_000) if first_big
              else rng.lognormvariate(math.log(account.mean_amount), 0.6))
    pattern = ("large_first_purchase" if first_big else "traveller" if on_trip
               else account.kind)
    return Event(
        at=at, kind="order", account=account.id,
        device=account.devices[-1] if rng.random() < 0.3 else account.devices[0],
        ip=(f"hotel{rng.randrange(5_000)}" if on_trip else f"nat{rng.randrange(300)}"
            if rng.random() < 0.15 else account.home_ip),
        card=rng.choice(account.cards), amount=max(100, int(amount)),
        method=account.method if rng.random() < 0.9 else _method(rng),
        client_country=rng.choice(ABROAD) if abroad_gift else client,
        shipping_country=account.country, declined=rng.random() < 0.04,
        pattern="buyer_abroad" if abroad_gift and not first_big else pattern)


def _trip(rng: random.Random, days: int) -> tuple[float, float, str] | None:
    """A week or two abroad for some buyers (orders shipped home from another country)."""
    if rng.random() >= 0.06:
        return None
    start = rng.uniform(-WARM_UP_DAYS, days) * DAY
    return start, start + rng.uniform(5, 14) * DAY, rng.choice(ABROAD + HOME)


def _new_phone(rng: random.Random, account: Account, days: int) -> list[Event]:
    """A password reset, then orders from a new device: an honest takeover look-alike."""
    at = rng.uniform(max(account.created, 0.0), days * DAY)
    account.devices.append(f"{account.devices[0]}n")
    reset = Event(at=at, kind="password_reset", account=account.id)
    order = _order(rng, account, at + rng.uniform(600, 12 * HOUR), None, False)
    order.device, order.pattern = account.devices[-1], "new_phone"
    return [reset, order]


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean > 30:
        return max(0, int(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
