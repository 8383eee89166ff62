"""The order path's client of the fraud worker: the worker's answer within the budget, else
the fallback of FRAUD_ON_FAILURE, whatever went wrong (a real local HTTP server plays the
worker: slow, broken, garbage)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common.adapters.fraud_screening import CachedIdToken, HttpFraudScreening
from common.domain.fraud import UNAVAILABLE_REASON, FraudDecision
from tests.unit.fraud.worker_given import screening

ANSWER = {"action": "review", "score": 0.42, "reasons": ["first order"],
          "model_version": "fraud-test", "block_account": False}


class Worker(BaseHTTPRequestHandler):
    """Answers per the server's `mode`; remembers the bodies and headers it got."""

    def do_POST(self) -> None:  # noqa: N802 — http.server's name
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.received.append((self.path, json.loads(body), dict(self.headers)))  # type: ignore[attr-defined]
        mode = server.mode  # type: ignore[attr-defined]
        if mode == "slow":
            time.sleep(0.5)
        status, payload = {
            "ok": (200, json.dumps(ANSWER).encode()), "slow": (200, json.dumps(ANSWER).encode()),
            "error": (500, b'{"title": "boom"}'), "garbage": (200, b"<html>not json</html>"),
            "wrong_shape": (200, json.dumps({**ANSWER, "action": "maybe"}).encode()),
        }[mode]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def worker() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Worker)
    server.mode, server.received = "ok", []  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client_of(server: ThreadingHTTPServer, on_failure: str = "allow",
              **kwargs: object) -> HttpFraudScreening:
    host, port = server.server_address[:2]
    return HttpFraudScreening(f"http://{host}:{port}", 50, on_failure, **kwargs)  # type: ignore[arg-type]


def test_the_workers_answer_within_the_budget_is_the_decision(worker):
    # Given a worker that answers at once
    order = screening()

    # When the order is screened
    decision = client_of(worker).screen(order)

    # Then the decision is the worker's, and the worker got every field of the screening
    assert decision == FraudDecision("review", 0.42, ("first order",), "fraud-test", False, True)
    path, body, _ = worker.received[0]
    assert path == "/v1/decisions:order"
    assert body == {"subject": order.subject, "account_id": order.account_id,
                    "device_id": order.device_id, "ip": "203.0.113.7", "client_country": None,
                    "shipping_country": "DE", "amount": 4000, "currency": "EUR",
                    "method": "card", "card": "pm_card_visa"}


@pytest.mark.parametrize("mode", ["slow", "error", "garbage", "wrong_shape"])
def test_a_worker_that_does_not_answer_well_in_budget_gives_the_allow_fallback(worker, mode):
    # Given a worker that is slow, fails, or answers garbage
    worker.mode = mode

    # When an order is screened
    started = time.monotonic()
    decision = client_of(worker).screen(screening())
    waited = time.monotonic() - started

    # Then the order is allowed unscreened, and the slow worker was not waited for
    assert decision == FraudDecision("allow", 0.0, (UNAVAILABLE_REASON,), "none", False, False)
    assert len(worker.received) == 1
    if mode == "slow":
        assert waited < 0.5  # the server sleeps 0.5 s before answering


def test_the_review_fallback_holds_the_order(worker):
    worker.mode = "error"

    decision = client_of(worker, on_failure="review").screen(screening())

    assert (decision.action, decision.screened, decision.reasons) == (
        "review", False, (UNAVAILABLE_REASON,))


def test_a_worker_that_is_not_there_gives_the_fallback():
    # Given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    # When an order is screened, Then the fallback comes back
    decision = HttpFraudScreening(f"http://127.0.0.1:{port}", 50, "allow").screen(screening())
    assert (decision.action, decision.screened) == ("allow", False)


def test_no_worker_url_gives_the_fallback_without_a_call():
    decision = HttpFraudScreening(None, 50, "review").screen(screening())

    assert (decision.action, decision.screened) == ("review", False)


def test_the_id_token_goes_with_the_call_and_is_fetched_once(worker):
    # Given an ID token source that counts its fetches
    fetched: list[str] = []
    token = CachedIdToken("https://fraud.example", lambda audience: fetched.append(audience)
                          or "id-token-1")
    client = client_of(worker, id_token=token)

    # When two orders are screened
    client.screen(screening())
    client.screen(screening())

    # Then both carried the bearer token, fetched once for the worker's audience
    assert [headers["Authorization"] for _, _, headers in worker.received] == [
        "Bearer id-token-1", "Bearer id-token-1"]
    assert fetched == ["https://fraud.example"]
