"""Past the per-address limit a password reset is refused with 429, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, unique_email


def _reset_from(address: str, email: str, limit: int) -> dict:
    env = {**os.environ, "PASSWORD_RESETS_PER_ADDRESS": str(limit),
           "CALL_FUNCTION_REMOTE_ADDR": address}
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", "request_password_reset",
         "POST", "/v1/password-resets", json.dumps({"email": email})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_client_address_past_its_limit_gets_429_with_retry_after(stack):
    # Given a client address no other test uses (TEST-NET-3) and a limit of 2 per window
    answers = [_reset_from("203.0.113.7", unique_email("flood"), limit=2) for _ in range(3)]
    assert [answer["status"] for answer in answers] == [202, 202, 429]
    refused = answers[-1]
    assert refused["headers"]["Content-Type"] == "application/problem+json"
    assert refused["body"]["code"] == "too_many_attempts"
    assert 0 < int(refused["headers"]["Retry-After"]) <= 3600
