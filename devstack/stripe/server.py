"""start_stripe: the Stripe twin over HTTP on 127.0.0.1, plus its hosted test pages."""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devstack.ports import HOST
from devstack.stripe import hosted_pages
from devstack.stripe.app import Api, Reply
from devstack.stripe.events import Webhooks, set_scope
from devstack.stripe.forms import parse_form
from devstack.stripe.store import Store
from devstack.time_scale import time_scale as shared_time_scale


@dataclass
class LocalStripe:
    """A running Stripe twin: where it is, its test keys, and its webhook deliverer."""

    server: ThreadingHTTPServer
    api: Api
    webhooks: Webhooks
    port: int
    secret_key: str
    publishable_key: str
    webhook_secret: str | None

    @property
    def base_url(self) -> str:
        """The address the SDK's base_addresses["api"] takes."""
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point the Stripe adapter (the official SDK) at this twin."""
        env = {"STRIPE_API_BASE": self.base_url, "STRIPE_SECRET_KEY": self.secret_key,
               "STRIPE_PUBLISHABLE_KEY": self.publishable_key}
        if self.webhook_secret:
            env["STRIPE_WEBHOOK_SECRET"] = self.webhook_secret
        return env

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Return once no webhook delivery is queued or running."""
        self.webhooks.wait_until_idle(timeout)

    def stop(self) -> None:
        """Stop serving and delivering webhooks."""
        self.server.shutdown()
        self.server.server_close()
        self.webhooks.stop()
        self.api.store.close()


def start_stripe(data_dir: Path, port: int = 0, *, webhook_url: str | None = None,
                 time_scale: float | None = None,
                 duplicate_delivery: bool = False) -> LocalStripe:
    """Serve the twin on 127.0.0.1:port (0: any free) with state kept in data_dir.

    The keys are made on first start and kept in data_dir; webhook_url registers an endpoint
    for every event (once per data_dir) whose secret is returned as webhook_secret.
    time_scale (default: BAZAAR_TIME_SCALE) compresses webhook retries; duplicate_delivery
    sends every webhook twice and out of order. Pending deliveries resume from data_dir.
    """
    scale = shared_time_scale() if time_scale is None else time_scale  # ValueError first
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    store = Store(Path(data_dir))
    keys = store.state["keys"]
    keys.setdefault("secret_key", f"sk_test_{secrets.token_hex(12)}")
    keys.setdefault("publishable_key", f"pk_test_{secrets.token_hex(12)}")
    server = ThreadingHTTPServer((HOST, port), _Handler)
    server.daemon_threads = True
    bound = int(server.server_address[1])
    webhooks = Webhooks(store, scale, duplicate_delivery=duplicate_delivery)
    api = Api(store, webhooks, f"http://{HOST}:{bound}", keys["secret_key"])
    webhook_secret = None
    if webhook_url:
        known = [e for e in store.of_kind("webhook_endpoint") if e["url"] == webhook_url]
        endpoint = known[0] if known else api.register_endpoint(webhook_url, ["*"])
        webhook_secret = keys[endpoint["id"]]
        set_scope(store, endpoint["id"], "all")  # account and Connect events, as `stripe listen`
    store.save()
    store.start_writer()
    server.api = api  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="stripe-http", daemon=True).start()
    return LocalStripe(server, api, webhooks, bound, keys["secret_key"],
                       keys["publishable_key"], webhook_secret)


class _Handler(BaseHTTPRequestHandler):
    """Form-encoded requests in, JSON out, as Stripe's REST API does."""

    protocol_version = "HTTP/1.1"
    server_version = "bazaar-stripe-twin"
    # Headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK (40 ms a call; bench/stripe_twin.py).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Log nothing."""

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        query = dict(urllib.parse.parse_qsl(url.query))
        page = hosted_pages.find(url.path)
        if page:
            answer, match = page
            status, page_headers, payload = answer(
                self.server.api, method, match, query)  # type: ignore[attr-defined]
            self.send_response(status)
            for key, value in page_headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
            return
        params = parse_form(body if method == "POST" else url.query)
        headers = {key.lower(): value for key, value in self.headers.items()}
        api: Api = self.server.api  # type: ignore[attr-defined]
        self._send(api.handle(method, url.path, params, headers))

    def _send(self, reply: Reply) -> None:
        payload = json.dumps(reply.body, indent=2).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
