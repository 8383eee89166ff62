"""Anonymizer throughput: events per second, per 1,000 events, through the pipeline.

In process: `analytics_messages()` and `interactions_message()` on batches of 50 events
(half of the analytics events carry free text full of personal data, scrubbed by every
recognizer). Over local HTTP: the anonymizer's own WSGI app under gunicorn (1 worker × 8
threads, as Cloud Run runs it) with a sink that keeps messages in memory (Pub/Sub is not
what is measured), 8 client threads posting batches of 50, beside a bare HTTP round trip
to the same server's /healthz in the same run.

`python -m bench.anonymizer_throughput [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import requests

from bench.report import table
from devstack.ports import free_port
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.pipeline import Client, analytics_messages, interactions_message

BATCH = 50
THREADS = 8
KEYS = ZoneKeys({"eu": [b"bench-eu"], "americas": [b"bench-am"], "asia": [b"bench-as"]}, "eu")
TEXT = ("Hi, my name is Anna Berg, mail anna.berg@example.com or +49 170 1234567, IBAN "
        "DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, at 12 Baker Street")


def analytics_batch(now: datetime) -> list[dict]:
    return [{"type": "product_view", "at": now, "product_id": str(uuid.uuid4()),
             "properties": {"value": 4_999, "screen": "pdp", "city": "Berlin"},
             **({"text": TEXT} if i % 2 else {})} for i in range(BATCH)]


def interaction_batch(now: datetime) -> list[dict]:
    return [{"type": "view", "at": now, "product_id": str(uuid.uuid4())} for _ in range(BATCH)]


def in_process(batches: int) -> dict[str, float]:
    """Events per second through each pipeline, one thread."""
    now, client = datetime.now(timezone.utc), Client(str(uuid.uuid4()), "bench-device-1",
                                                     "DE", "Mozilla/5.0 (iPhone)")
    rates = {}
    for name, make, run in (("analytics (half with text)", analytics_batch, analytics_messages),
                            ("interactions", interaction_batch, interactions_message)):
        work = [make(now) for _ in range(batches)]
        began = time.perf_counter()
        for events in work:
            run(client, events, key=KEYS.of("DE"), now=now)
        rates[name] = batches * BATCH / (time.perf_counter() - began)
    return rates


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "LOG_LEVEL": "WARNING",
           "DATABASE_URL": os.environ.get("DATABASE_URL", "postgresql://unused/unused"),
           "INTERACTION_BATCHES_PER_WINDOW": "1000000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", str(THREADS), "bench.anonymizer_throughput:bench_app()"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the anonymizer did not start")


def bench_app():  # noqa: ANN201
    """The anonymizer app with an in-memory sink and no Firebase (anonymous devices only)."""
    from common import settings as settings_module
    from edge_workers.anonymizer.buffer import BufferedPublisher
    from edge_workers.anonymizer.limits import MemoryRateLimiter
    from edge_workers.anonymizer.main import Parts, create_app

    class MemorySink:
        def publish(self, messages) -> None:  # noqa: ANN001
            self.last = messages

    settings = settings_module.current()
    return create_app(Parts(settings, KEYS, BufferedPublisher(MemorySink(), 1000, 60),
                            MemoryRateLimiter(60), type("NoTokens", (), {
                                "holder": lambda self, authorization: None})()))


def over_http(port: int, batches: int) -> dict[str, float]:
    """Events per second over HTTP from THREADS clients, and bare round trips per second."""
    url, local = f"http://127.0.0.1:{port}", threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        return local.http

    def post(index: int) -> None:
        now = datetime.now(timezone.utc).isoformat()
        body = {"events": [{**e, "at": now} for e in analytics_batch(datetime.now(timezone.utc))]}
        response = session().post(f"{url}/v1/analytics/events", json=body,
                                  headers={"X-Device-Id": f"bench-device-{index % 97:04d}"})
        assert response.status_code == 202, response.text

    def bare(_: int) -> None:
        assert session().get(f"{url}/healthz").ok

    rates = {}
    for name, call, count, per_call in (("analytics over HTTP", post, batches, BATCH),
                                        ("bare /healthz round trips", bare, batches * 5, 1)):
        with ThreadPoolExecutor(THREADS) as pool:
            began = time.perf_counter()
            list(pool.map(call, range(count)))
            rates[name] = count * per_call / (time.perf_counter() - began)
    return rates


def run(quick: bool = False) -> str:
    """Events per second in process and over HTTP; the table as markdown."""
    batches = 20 if quick else 200
    rates = in_process(batches)
    port = free_port()
    server = start_server(port)
    try:
        rates |= over_http(port, batches)
    finally:
        server.terminate()
        server.wait(10)
    rows = [[name, f"{rate:,.0f}", f"{1000 / rate * 1000:.1f}" if "bare" not in name else "-"]
            for name, rate in rates.items()]
    return table(["path", "events (or round trips) / s", "ms per 1,000 events"], rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    print(run(parser.parse_args().quick))


if __name__ == "__main__":
    main()
