"""Registration checks: disposable email domains, generated-looking local parts (from the
shape the signal carries, never the address), and bursts of registrations from one device
or address, or many accounts on one device."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from edge_workers.fraud.findings import Finding
from edge_workers.fraud.history import History

BURST_WINDOW = timedelta(hours=1)
BURST_AT = 3  # registrations from one device or address in BURST_WINDOW, this one included
DEVICE_WINDOW = timedelta(days=30)
ACCOUNTS_PER_DEVICE_AT = 4


@lru_cache(maxsize=1)
def disposable_domains() -> frozenset[str]:
    """The shipped list of throw-away email domains."""
    lines = (Path(__file__).with_name("disposable_domains.txt")).read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and line[0] != "#")


def is_disposable(domain: str) -> bool:
    """The domain, or a domain it is a subdomain of, is on the list."""
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in disposable_domains() for i in range(len(parts) - 1))


def looks_generated(shape: dict[str, Any]) -> list[str]:
    """Why the local part looks machine-made: many digits, high entropy, keyboard runs."""
    length, digits = int(shape.get("length", 0)), int(shape.get("digits", 0))
    why = []
    if digits >= 5 and digits / length >= 0.4:  # a birth year (4 digits) is ordinary
        why.append(f"{digits} of {length} characters are digits")
    if length >= 12 and float(shape.get("entropy", 0)) >= 3.8:
        why.append("random-looking characters")
    if int(shape.get("keyboard_run", 0)) >= 5:
        why.append(f"a keyboard run of {shape['keyboard_run']} keys")
    return why


def email_findings(domain: str, shape: dict[str, Any]) -> list[Finding]:
    """What the email's domain and shape say."""
    found = []
    if is_disposable(domain):
        found.append(Finding(0.5, f"disposable email domain {domain}", strong=True))
    generated = looks_generated(shape)
    if generated:
        found.append(Finding(0.3, "generated-looking email address: " + ", ".join(generated)))
    return found


def burst_findings(history: History, device_id: str | None, ip: str | None,
                   now: datetime) -> list[Finding]:
    """Bursts of registrations from the device or the address, accounts on the device."""
    found = []
    if device_id:
        recent = history.count("registration", "device_id", device_id, now - BURST_WINDOW)
        if recent >= BURST_AT:
            found.append(Finding(0.5, f"{recent} registrations from this device in 1 h",
                                 strong=True))
        accounts = history.distinct("registration", "account_id", "device_id", device_id,
                                    now - DEVICE_WINDOW)
        if accounts >= ACCOUNTS_PER_DEVICE_AT:
            found.append(Finding(0.6, f"{accounts} accounts on this device in 30 days",
                                 strong=True))
    if ip:
        recent = history.count("registration", "ip", ip, now - BURST_WINDOW)
        if recent >= BURST_AT:
            found.append(Finding(0.4, f"{recent} registrations from this address in 1 h",
                                 strong=True))
    return found
