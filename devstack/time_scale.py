"""BAZAAR_TIME_SCALE: one factor that compresses every local clock-driven wait.

The Stripe twin's webhook retry schedule, the Workflows stand-in's `sys.sleep` and callback
timeouts, and the local Cloud Scheduler's intervals are all multiplied by it, so a test can
run hours of provider retries or a saga's reservation expiry in seconds. 1 (the default) is
real time, as `nox -s dev` runs; the test session sets a small factor. Only devstack/ reads
it: production code never waits on a scaled clock.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

VARIABLE = "BAZAAR_TIME_SCALE"


def time_scale(env: Mapping[str, str] | None = None) -> float:
    """The factor from the environment: a number > 0 and ≤ 1 (ValueError otherwise)."""
    raw = (os.environ if env is None else env).get(VARIABLE, "") or "1"
    try:
        scale = float(raw)
    except ValueError as exc:
        raise ValueError(f"{VARIABLE} must be a number, got {raw!r}") from exc
    if not 0 < scale <= 1:
        raise ValueError(f"{VARIABLE} must be > 0 and ≤ 1, got {raw!r}")
    return scale


def scaled(seconds: float, env: Mapping[str, str] | None = None) -> float:
    """How long `seconds` of modelled time last on the wall clock."""
    return seconds * time_scale(env)
