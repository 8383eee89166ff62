"""FraudScreening over HTTP: POST {FRAUD_URL}/v1/decisions:order within FRAUD_BUDGET_MS.

The budget is the whole call (connect, send, answer); anything but a well-formed 200 within
it (timeout, connection refused, 4xx/5xx, garbage) gives the fallback decision of
FRAUD_ON_FAILURE, marked screened=False (docs/decisions/0025). In production the call
carries a Google ID token for the worker's URL (Cloud Run IAM), fetched and cached apart
from the budget.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from typing import Callable, cast

import urllib3

from common.domain.fraud import (
    FraudDecision,
    OnFailure,
    OrderScreening,
    decision_from_wire,
    fallback_decision,
)

log = logging.getLogger(__name__)
DECISION_PATH = "/v1/decisions:order"
ID_TOKEN_TTL_S = 45 * 60  # Google ID tokens live an hour
MAX_ANSWER_BYTES = 4096


class CachedIdToken:
    """A Google ID token for `audience`, refreshed before it expires."""

    def __init__(self, audience: str, fetch: Callable[[str], str] | None = None) -> None:
        self._audience, self._fetch = audience, fetch or _fetch_id_token
        self._token: str | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() - self._fetched_at > ID_TOKEN_TTL_S:
                self._token, self._fetched_at = self._fetch(self._audience), time.monotonic()
            return self._token


def _fetch_id_token(audience: str) -> str:
    import google.auth.transport.requests
    import google.oauth2.id_token

    request = google.auth.transport.requests.Request()
    return cast(str, google.oauth2.id_token.fetch_id_token(request, audience))


class HttpFraudScreening:
    """Asks the fraud worker; falls back per `on_failure` when it cannot answer in budget."""

    def __init__(self, base_url: str | None, budget_ms: int, on_failure: OnFailure,
                 id_token: Callable[[], str] | None = None) -> None:
        self._url = None if base_url is None else base_url.rstrip("/") + DECISION_PATH
        self._budget_s = budget_ms / 1000
        self._fallback = fallback_decision(on_failure)
        self._id_token = id_token
        self._pool = urllib3.PoolManager(maxsize=16, block=False, retries=False)

    def screen(self, screening: OrderScreening) -> FraudDecision:
        """The worker's decision, or the fallback when it did not give one in budget."""
        if self._url is None:
            return self._fallback
        headers = {"Content-Type": "application/json"}
        try:
            if self._id_token is not None:
                headers["Authorization"] = f"Bearer {self._id_token()}"
            response = self._pool.request(
                "POST", self._url, body=json.dumps(dataclasses.asdict(screening)).encode(),
                headers=headers, timeout=urllib3.Timeout(total=self._budget_s),
                preload_content=False)
            try:
                body = response.read(MAX_ANSWER_BYTES + 1)
            finally:
                response.release_conn()
            if response.status != 200 or len(body) > MAX_ANSWER_BYTES:
                raise ValueError(f"status {response.status}")
            return decision_from_wire(json.loads(body))
        except Exception as error:  # noqa: BLE001 — every failure means the same fallback
            log.warning("fraud check unavailable, fallback %s: %s",
                        self._fallback.action, type(error).__name__)
            return self._fallback
