"""Login checks: bursts of failed logins on one account or from one address, and
impossible travel (two successful logins whose countries are further apart than a plane
could fly in the time between them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from edge_workers.fraud.countries import distance_km
from edge_workers.fraud.findings import Finding
from edge_workers.fraud.history import History
from edge_workers.fraud.signals import Signal

FAILED_WINDOW = timedelta(minutes=10)
FAILED_AT = 10  # failed logins in FAILED_WINDOW: a case at each multiple, not each attempt
TRAVEL_WINDOW = timedelta(days=1)
MAX_SPEED_KMH = 1000.0
MIN_DISTANCE_KM = 1000.0  # centroids are rough: neighbouring countries are never "travel"
MIN_HOURS = 1 / 60


def failed_burst(history: History, by: str, value: str | None, now: datetime) -> Finding | None:
    """A finding when this failed login makes FAILED_AT (or a multiple) in FAILED_WINDOW."""
    if not value:
        return None
    failed = history.count("login_failed", by, value, now - FAILED_WINDOW)
    if failed < FAILED_AT or failed % FAILED_AT:
        return None
    where = "on this account" if by == "account_id" else "from this address"
    return Finding(0.6, f"{failed} failed logins {where} in 10 min", strong=True)


def failed_before(history: History, account_id: str, now: datetime) -> Finding | None:
    """A burst of failed logins on the account just before this successful one."""
    failed = history.count("login_failed", "account_id", account_id, now - FAILED_WINDOW)
    if failed < FAILED_AT:
        return None
    return Finding(0.6, f"{failed} failed logins on this account in the 10 min before",
                   strong=True)


def impossible_travel(history: History, login: Signal) -> Finding | None:
    """The previous successful login came from a country too far away to have flown here."""
    if not login.account_id or not login.country:
        return None
    previous = [s for s in history.signals("login", login.at - TRAVEL_WINDOW,
                                           by="account_id", value=login.account_id, limit=20)
                if s.event_id != login.event_id and s.country and s.at <= login.at]
    if not previous:
        return None
    last = previous[0]
    km = distance_km(last.country or "", login.country)
    if km is None or km < MIN_DISTANCE_KM:
        return None
    hours = max((login.at - last.at).total_seconds() / 3600, MIN_HOURS)
    if km / hours <= MAX_SPEED_KMH:
        return None
    return Finding(0.7, f"logged in from {last.country} then {login.country}: "
                        f"{km:.0f} km in {hours * 60:.0f} min", strong=True)
