"""The generator's memory of past events, with the windows the worker's History answers:
orders and declines per account, device and IP; distinct cards and accounts; resets.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import Any


class _Series:
    """Times (ascending) and one value per time, for one key."""

    __slots__ = ("times", "values")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.values: list[Any] = []

    def add(self, at: float, value: Any) -> None:
        """Append an event (events arrive in time order)."""
        self.times.append(at)
        self.values.append(value)

    def since(self, start: float) -> int:
        """The index of the first event at or after start."""
        return bisect_left(self.times, start)


class Windows:
    """Past orders, declines, resets and registrations, read with time windows."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, str], _Series] = defaultdict(_Series)
        self._created: dict[str, float] = {}
        self._resets: dict[str, _Series] = defaultdict(_Series)
        self._totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def record_registration(self, account: str, at: float) -> None:
        """The account exists from now on."""
        self._created.setdefault(account, at)

    def record_reset(self, account: str, at: float) -> None:
        """A password reset was requested for the account."""
        self._resets[account].add(at, None)

    def record_order(self, event: Any) -> None:
        """An order signal (and a decline signal when its payment failed)."""
        for by, key in (("account", event.account), ("device", event.device),
                        ("ip", event.ip)):
            if key is None:
                continue
            payload = (event.card, event.account, event.device)
            self._series[("order", by, key)].add(event.at, payload)
            if event.declined:
                self._series[("decline", by, key)].add(event.at, payload)
        totals = self._totals[event.account]
        totals[0] += 1
        totals[1] += event.amount

    def count(self, kind: str, by: str, key: str | None, start: float) -> int:
        """How many signals of a kind for the key since start."""
        if key is None:
            return 0
        series = self._series.get((kind, by, key))
        return 0 if series is None else len(series.times) - series.since(start)

    def distinct(self, field: str, by: str, key: str | None, start: float) -> int:
        """How many different cards or accounts the key's orders had since start."""
        if key is None:
            return 0
        series = self._series.get(("order", by, key))
        if series is None:
            return 0
        column = {"card": 0, "account": 1, "device": 2}[field]
        values = {payload[column] for payload in series.values[series.since(start):]}
        values.discard(None)
        return len(values)

    def new_device(self, account: str, device: str | None, start: float) -> bool:
        """Whether the account ordered since start, but never from this device."""
        series = self._series.get(("order", "account", account))
        if device is None or series is None:
            return False
        recent = series.values[series.since(start):]
        return bool(recent) and all(payload[2] != device for payload in recent)

    def reset_since(self, account: str, start: float) -> bool:
        """Whether a password reset was requested since start."""
        series = self._resets.get(account)
        return series is not None and series.since(start) < len(series.times)

    def prior(self, account: str) -> tuple[int, float]:
        """The account's earlier orders: how many, and their mean amount."""
        count, total = self._totals.get(account, (0, 0.0))
        return int(count), (total / count if count else 0.0)

    def age_days(self, account: str, at: float) -> float:
        """Days since the account was created (0 when unknown)."""
        created = self._created.get(account)
        return 0.0 if created is None else max(0.0, (at - created) / 86_400)
