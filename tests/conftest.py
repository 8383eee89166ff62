"""Shared fixtures: the whole local stack, started once per test session on free ports.

Set BAZAAR_PUBSUB_DUPLICATE_DELIVERY=1 to run with every Pub/Sub message delivered
twice and out of order (`nox -s tests` does this for the tests marked `events`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DUPLICATE_DELIVERY = os.environ.get("BAZAAR_PUBSUB_DUPLICATE_DELIVERY") == "1"
TEST_ENV = {
    "BAZAAR_ENV": "test",
    "BAZAAR_DEMO_DATA": "1",
    "LOGIN_ATTEMPTS_PER_EMAIL": "5",
    "LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
    "PASSWORD_RESETS_PER_ADDRESS": "100000",
    "LOG_LEVEL": "WARNING",
    # Local clocks 100× faster: the Stripe twin's first webhook retry comes after 3 s, a
    # saga's 15-minute callback timeout after 9 s (devstack/time_scale.py).
    "BAZAAR_TIME_SCALE": "0.01",
    # Federated rounds over HTTP here have 10 to 200 devices: with noise on (σ = z·C/Σw) a
    # 10-device round would scramble every item's factors for the tests after it. Noisy
    # rounds are tested with an explicit z (tests/integration/federated) and measured in
    # bench/fl_quality.py.
    "FL_NOISE_MULTIPLIER": "0",
}


@pytest.fixture(scope="session")
def stack():
    """Every stand-in plus all functions on an HTTP port, for integration and e2e tests."""
    from devstack.stack import Ports, start_stack

    local_dir = ROOT / ".local" / "test" / uuid.uuid4().hex[:8]
    os.environ.update(TEST_ENV)
    started = start_stack(local_dir, Ports.any_free(), duplicate_delivery=DUPLICATE_DELIVERY,
                          extra_env=TEST_ENV)
    yield started
    started.stop()
    shutil.rmtree(local_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(stack) -> str:
    return stack.base_url


@pytest.fixture(scope="session")
def mail(stack):
    return stack.services["mail"]


@pytest.fixture(scope="session")
def pubsub(stack):
    return stack.services["pubsub"]


@pytest.fixture(scope="session")
def firestore_emulator(stack):
    return stack.services["firestore"]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
