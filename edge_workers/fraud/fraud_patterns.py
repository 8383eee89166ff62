"""Fraud for the generator: card testing, account takeover, velocity, country mismatch and
new accounts buying high value, each an instance of fresh or stolen accounts and devices.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from edge_workers.fraud.populations import ABROAD, DAY, HOME, HOUR, Account, Event

PROXIES = 150  # IPs that fraudsters share (proxies, VPN exits)
FULL_ACCOUNTS, FULL_DAYS = 30_000, 90  # the instance counts below are for this size


def fraud_events(rng: random.Random, people: list[Account], days: int) -> list[Event]:
    """Every fraud instance of the period (days 0 to days)."""
    makers: tuple[tuple[Callable[..., list[Event]], int], ...] = (
        (_card_testing, 140), (_account_takeover, 450), (_velocity, 180),
        (_country_mismatch, 900), (_new_account_high_value, 700))
    victims = [p for p in people if p.created < -HOUR and p.kind != "frequent_buyer"][:3_000]
    scale = len(people) / FULL_ACCOUNTS * days / FULL_DAYS  # fraud grows with the shop
    events: list[Event] = []
    for make, instances in makers:
        for n in range(max(1, round(instances * scale))):
            events += make(rng, f"{make.__name__}{n}", rng.uniform(0, days) * DAY, victims)
    return events


def _ip(rng: random.Random, tag: str) -> str:
    """A shared proxy most of the time, else an address of the instance's own."""
    return f"proxy{rng.randrange(PROXIES)}" if rng.random() < 0.6 else f"ip-{tag}"


def _fresh_account(tag: str, at: float) -> Event:
    """A registration made for the fraud."""
    return Event(at=at, kind="registration", account=f"acct-{tag}")


def _card_testing(rng: random.Random, tag: str, at: float, _: list[Account]) -> list[Event]:
    """One device trying many stolen cards with small amounts; most are declined."""
    accounts = [f"acct-{tag}-{k}" for k in range(rng.choice((1, 1, 2, 3)))]
    events = [Event(at=at - rng.uniform(60, 3_600), kind="registration", account=a)
              for a in accounts]
    client = rng.choice(ABROAD) if rng.random() < 0.5 else rng.choice(HOME)
    ip, cards = _ip(rng, tag), rng.choice((2, 3, 50, 50, 50))
    for attempt in range(rng.randint(6, 25)):
        events.append(Event(
            at=at + attempt * rng.uniform(60, 600), kind="order", account=rng.choice(accounts),
            device=f"dev-{tag}", ip=ip, card=f"card-{tag}-{attempt % cards}",
            amount=rng.randint(100, 3_000), method="card", client_country=client,
            shipping_country=rng.choice(HOME), declined=rng.random() < 0.8, fraud=True,
            pattern="card_testing"))
    return events


def _account_takeover(rng: random.Random, tag: str, at: float,
                      people: list[Account]) -> list[Event]:
    """A stolen honest account: a password reset, then large orders from a new device."""
    victim = rng.choice(people)
    events = ([Event(at=at, kind="password_reset", account=victim.id)]
              if rng.random() < 0.7 else [])  # else the password was already known
    client = rng.choice(ABROAD) if rng.random() < 0.6 else victim.country
    ship = victim.country if rng.random() < 0.5 else rng.choice(HOME)
    ip, later = _ip(rng, tag), at + rng.uniform(600, 20 * HOUR)
    for k in range(rng.choice((1, 1, 2, 3))):
        events.append(Event(
            at=later + k * rng.uniform(300, 3_600), kind="order", account=victim.id,
            device=f"dev-{tag}", ip=ip,
            card=rng.choice(victim.cards) if rng.random() < 0.6 else f"card-{tag}-{k}",
            amount=int(min(300_000, victim.mean_amount * rng.uniform(2, 20))),
            method="card" if rng.random() < 0.8 else "paypal", client_country=client,
            shipping_country=ship, fraud=True, pattern="account_takeover"))
    return events


def _velocity(rng: random.Random, tag: str, at: float, _: list[Account]) -> list[Event]:
    """A young account ordering again and again within the hour from one device and IP."""
    events = [_fresh_account(tag, at - rng.uniform(0, 5) * DAY)]
    home = rng.choice(HOME)
    client = home if rng.random() < 0.7 else rng.choice(ABROAD)
    cards = [f"card-{tag}-{k}" for k in range(rng.choice((1, 2)))]
    ip, minutes = _ip(rng, tag), rng.uniform(20, 60) * 60
    orders = rng.randint(6, 15)
    for k in range(orders):
        events.append(Event(
            at=at + k * minutes / orders, kind="order", account=f"acct-{tag}",
            device=f"dev-{tag}", ip=ip, card=rng.choice(cards),
            amount=rng.randint(3_000, 30_000), method="card", client_country=client,
            shipping_country=home, declined=rng.random() < 0.1, fraud=True,
            pattern="velocity"))
    return events


def _country_mismatch(rng: random.Random, tag: str, at: float,
                      _: list[Account]) -> list[Event]:
    """A new account buying from abroad with a stolen card, shipped inside the EU."""
    events = [_fresh_account(tag, at - rng.uniform(0.01, 10) * DAY)]
    ship, careful = rng.choice(HOME), rng.random() < 0.25
    client = ship if careful else rng.choice(ABROAD)  # careful: a proxy in the EU
    ip = f"ip-{tag}" if careful else _ip(rng, tag)
    for k in range(rng.choice((1, 1, 2))):
        events.append(Event(
            at=at + k * rng.uniform(600, 6 * HOUR), kind="order", account=f"acct-{tag}",
            device=f"dev-{tag}", ip=ip, card=f"card-{tag}-{k}",
            amount=rng.randint(2_000, 40_000), method="card" if rng.random() < 0.85
            else "paypal", client_country=client, shipping_country=ship,
            declined=rng.random() < 0.15, fraud=True, pattern="country_mismatch"))
    return events


def _new_account_high_value(rng: random.Random, tag: str, at: float,
                            _: list[Account]) -> list[Event]:
    """An account made hours ago whose first order is of high value."""
    ship = rng.choice(HOME)
    client = rng.choice(ABROAD) if rng.random() < 0.4 else ship
    return [_fresh_account(tag, at - rng.uniform(120, 20 * HOUR)), Event(
        at=at, kind="order", account=f"acct-{tag}", device=f"dev-{tag}",
        ip=_ip(rng, tag) if rng.random() < 0.5 else f"ip-{tag}", card=f"card-{tag}",
        amount=rng.randint(25_000, 300_000), method="card" if rng.random() < 0.8 else "paypal",
        client_country=client, shipping_country=ship, fraud=True,
        pattern="new_account_high_value")]
