"""Fixtures for the Stripe twin's conformance tests: the twin, an SDK client, a webhook receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe

from devstack.stripe import LocalStripe, start_stripe

# Compresses the webhook retry schedule (300 s, 1800 s, 7200 s) to 0.03 s, 0.18 s, 0.72 s.
TIME_SCALE = 0.0001


@pytest.fixture(scope="session")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    """One twin per test session, on a free port, with a fresh data directory."""
    local = start_stripe(tmp_path_factory.mktemp("stripe"), 0, time_scale=TIME_SCALE)
    yield local
    local.stop()


@pytest.fixture(scope="session")
def client(twin: LocalStripe) -> stripe.StripeClient:
    """The official SDK pointed at the twin, with no network retries of its own."""
    return stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                               max_network_retries=0)


@dataclass
class Receiver:
    """A webhook endpoint that answers the statuses queued in `answers` (then 200)."""

    url: str
    answers: list[int] = field(default_factory=list)
    received: list[tuple[bytes, str, int]] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Return once `count` deliveries arrived (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local HTTP server recording each delivery (body, Stripe-Signature, status answered)."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Log nothing."""

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.answers.pop(0) if state.answers else 200
            state.received.append((body, self.headers.get("Stripe-Signature", ""), status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data directory for a twin of the test's own."""
    return tmp_path / "stripe"


@pytest.fixture
def own_twin(data_dir: Path) -> Iterator[LocalStripe]:
    """A twin of the test's own, so that its balances start at zero."""
    local = start_stripe(data_dir, 0, time_scale=TIME_SCALE)
    yield local
    local.stop()


@pytest.fixture
def own_client(own_twin: LocalStripe) -> stripe.StripeClient:
    """The official SDK pointed at the test's own twin."""
    return stripe.StripeClient(own_twin.secret_key, base_addresses={"api": own_twin.base_url},
                               max_network_retries=0)


Onboard = Callable[..., stripe.Account]


@pytest.fixture
def onboard() -> Onboard:
    """Make an Express account and complete its onboarding through its Account Link's page."""

    def make(client: stripe.StripeClient, **params: Any) -> stripe.Account:
        account = client.v1.accounts.create(params={  # type: ignore[arg-type]
            "type": "express", "country": "DE",
            "capabilities": {"card_payments": {"requested": True},
                             "transfers": {"requested": True}}, **params})
        link = client.v1.account_links.create(params={
            "account": account.id, "type": "account_onboarding",
            "refresh_url": "https://vendor.example/refresh",
            "return_url": "https://vendor.example/return"})
        assert requests.get(link.url, timeout=5).status_code == 200
        done = requests.post(f"{link.url}/complete", allow_redirects=False, timeout=5)
        assert done.headers["Location"] == "https://vendor.example/return"
        return client.v1.accounts.retrieve(account.id)

    return make
