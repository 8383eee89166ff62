"""What one call to the local Stripe twin costs, against a bare HTTP round trip in the same run.

The twin (devstack/stripe) answers every call the payment adapter makes in tests and in
`nox -s dev`. Each call is made through the official SDK (`stripe.StripeClient`, as the
adapter calls it) on one keep-alive connection, one at a time, after a warm-up. The baseline
is a bare round trip on the same stack: a stdlib `ThreadingHTTPServer` answering a fixed
small JSON body, called with the SDK's own HTTP client (`requests`), so the ratio shows what
the twin's routing, state machine, idempotency and atomic state write add per call.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.report import table

HOST = "127.0.0.1"


@dataclass
class Timings:
    """Per-call seconds of each operation, and the baseline's."""

    calls: dict[str, list[float]]
    state_objects: int


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes
    payload = json.dumps({"id": "pi_bare", "object": "payment_intent"}).encode()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Log nothing."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    do_GET = do_POST = _answer  # noqa: N815


def _timed(call: Callable[[int], Any], times: int) -> list[float]:
    """Seconds per call, after three untimed warm-up calls."""
    for index in range(3):
        call(-1 - index)
    out = []
    for index in range(times):
        began = time.perf_counter()
        call(index)
        out.append(time.perf_counter() - began)
    return out


def run(times: int = 200, say: Callable[[str], None] = print) -> Timings:
    """Time the bare round trip and each twin operation `times` times."""
    import requests
    import stripe

    from devstack.stripe import start_stripe

    bare = ThreadingHTTPServer((HOST, 0), _Bare)
    threading.Thread(target=bare.serve_forever, daemon=True).start()
    session = requests.Session()
    bare_url = f"http://{HOST}:{bare.server_address[1]}/v1/payment_intents"
    with tempfile.TemporaryDirectory() as data_dir:
        twin = start_stripe(Path(data_dir), 0)
        try:
            client = stripe.StripeClient(twin.secret_key, base_addresses={"api": twin.base_url},
                                         max_network_retries=0)
            pis = client.v1.payment_intents
            made = [pis.create(params={"amount": 1000, "currency": "eur"})
                    for _ in range(times)]

            def confirm(index: int) -> None:
                pi = made[index] if index >= 0 else pis.create(
                    params={"amount": 1000, "currency": "eur"})
                pis.confirm(pi.id, params={"payment_method": "pm_card_visa"})

            calls = {
                "bare round trip (requests → ThreadingHTTPServer)":
                    _timed(lambda _: session.post(bare_url, data="amount=1000").content, times),
                "create a PaymentIntent":
                    _timed(lambda _: pis.create(params={"amount": 1000, "currency": "eur"}),
                           times),
                "create with an Idempotency-Key (first call)":
                    _timed(lambda i: pis.create(params={"amount": 1000, "currency": "eur"},
                                                options={"idempotency_key": f"k{i}"}), times),
                "the same key again (replayed)":
                    _timed(lambda i: pis.create(params={"amount": 1000, "currency": "eur"},
                                                options={"idempotency_key": f"k{i}"}), times),
                "retrieve a PaymentIntent": _timed(lambda i: pis.retrieve(made[max(i, 0)].id),
                                                   times),
                "confirm with pm_card_visa (charge + events)": _timed(confirm, times),
            }
            say(f"  {times} calls each")
            objects = len(twin.api.store.objects)
        finally:
            twin.stop()
            bare.shutdown()
            bare.server_close()
    return Timings(calls, objects)


def section(result: Timings, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    names = list(result.calls)
    base = statistics.median(result.calls[names[0]])
    rows = []
    for name in names:
        values = sorted(result.calls[name])
        median = statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        rows.append([name, f"{median * 1000:.2f}", f"{p95 * 1000:.2f}",
                     f"{median / base:.1f}×"])
    return "\n".join([
        "## Stripe twin latency per call", "",
        f"Measured {where}.", "",
        (__doc__ or "").split("\n\n", 1)[1].strip(), "",
        f"The twin held {result.state_objects} objects by the end (its state file is rewritten "
        "after every call, so a call's cost grows with the state: fine for a test session).",
        "", table(["call (official SDK, one at a time)", "median ms", "p95 ms", "× bare"], rows),
    ])
