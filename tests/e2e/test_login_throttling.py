"""Login throttling holds under parallel guesses, and only failed attempts count (0003)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.e2e.client import PASSWORD

PARALLEL = 30


def _limit() -> int:
    from common import bootstrap

    return bootstrap.settings().login_attempts_per_email  # 5 in tests (tests/conftest.py)


def test_parallel_wrong_passwords_reach_sign_in_at_most_the_limit(api):
    # Given an account and 30 wrong-password logins released at the same instant
    user = api.register("customer", verify=False, login=False)
    start = threading.Barrier(PARALLEL)

    def attempt(_: int) -> int:
        start.wait(timeout=60)
        return requests.post(f"{api.base_url}/v1/sessions", timeout=60,
                             json={"email": user.email, "password": "Wrong-pass-1"}).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        codes = Counter(pool.map(attempt, range(PARALLEL)))
    # Then exactly the limit were checked against Firebase (401), the rest refused (429)
    assert codes == {401: _limit(), 429: PARALLEL - _limit()}


def test_a_right_password_gives_its_slot_back(api):
    user = api.register("customer", verify=False, login=False)

    def log_in(password: str) -> int:
        return api.post("/v1/sessions", json={"email": user.email,
                                              "password": password}).status_code

    # Given two failed attempts
    assert [log_in("Wrong-pass-1") for _ in range(2)] == [401, 401]
    # When the right password is used more often than the limit, it always works
    assert [log_in(PASSWORD) for _ in range(_limit() + 1)] == [200] * (_limit() + 1)
    # Then only the two failures counted: the rest of the limit is still there
    left = _limit() - 2
    assert [log_in("Wrong-pass-1") for _ in range(left + 1)] == [401] * left + [429]
