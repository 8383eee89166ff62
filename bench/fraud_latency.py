"""Fraud decision latency: what the check adds to order placement.

In process: `decide()` alone and `screen_order()` over MemoryHistory. Over local HTTP: the
fraud worker as the stack runs it (gunicorn, 1 worker × 8 threads, its own environment, a
local PostgreSQL, role bazaar_fraud) called by the order path's own client
(HttpFraudScreening) from 50 concurrent threads, the orders in flight together from
distinct devices and addresses (one device's orders wait for each other: decision 0028),
beside a bare HTTP round trip to the same worker's /healthz at the same concurrency in the
same run. Goal: p99 added < 5 ms.

`python -m bench.fraud_latency [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import urllib3

from bench.report import table
from common.adapters.fraud_screening import HttpFraudScreening
from common.domain.fraud import OrderScreening
from edge_workers.fraud.committed_models import newest_model_path
from edge_workers.fraud.decision import decide
from edge_workers.fraud.history import MemoryHistory
from edge_workers.fraud.order_screening import order_facts, screen_order
from edge_workers.fraud.scoring import OnnxScorer

CONCURRENCY = 50
BARE = f"{CONCURRENCY} callers: bare round trip (GET /healthz)"
DECIDED = f"{CONCURRENCY} callers: decision (POST /v1/decisions:order)"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def an_order(device: int) -> OrderScreening:
    """An ordinary order from one of a few hundred devices (windows get some history)."""
    return OrderScreening(subject=str(uuid.uuid4()), account_id=str(uuid.uuid4()),
                          device_id=f"bench-device-{device:04d}", ip=f"198.51.100.{device % 250}",
                          client_country="DE", shipping_country="DE", amount=4000,
                          currency="EUR", method="card", card="pm_card_visa")


def timed(call: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


errors: list[str] = []  # calls that failed (not timed), reported with the results


def concurrently(call: Callable[[int], object], per_thread: int) -> list[float]:
    """Each of CONCURRENCY threads calls `call(i)` per_thread times; every call's seconds.
    At any instant the threads hold CONCURRENCY consecutive i (i = round × CONCURRENCY +
    thread), so orders in flight together come from distinct devices and addresses, as
    ordinary traffic does: orders of one device are decided one after another (decision
    0028), and a burst from one device measures its own queue, not the check."""
    samples: list[float] = []
    lock, start = threading.Lock(), threading.Barrier(CONCURRENCY)

    def run(thread: int) -> None:
        mine = []
        start.wait()
        for n in range(per_thread):
            began = time.perf_counter()
            try:
                call(n * CONCURRENCY + thread)
            except Exception as error:  # noqa: BLE001 — counted, and the run goes on
                errors.append(type(error).__name__)
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def in_process(scorer: OnnxScorer, count: int) -> dict[str, list[float]]:
    history = MemoryHistory()
    now = datetime.now(timezone.utc)
    facts = order_facts(an_order(1), history, now)
    return {"decide() (rules + ONNX)": timed(lambda: decide(facts, scorer), count),
            "screen_order() over MemoryHistory": timed(
                lambda: screen_order(an_order(len(history.recorded) % 300), history, scorer,
                                     now), count)}


def start_worker(local_dir: Path, model: Path):  # noqa: ANN201
    """PostgreSQL migrated, and the fraud worker from its own environment."""
    from common.migrations.runner import upgrade
    from devstack import edge_workers, manifest
    from devstack.ports import free_port
    from devstack.postgres import start_postgres

    postgres = start_postgres(local_dir)
    upgrade(postgres.url)
    postgres.allow_login(["bazaar_fraud"])
    service = manifest.edge_services()["fraud"]
    env = {**os.environ, "DATABASE_URL": postgres.url, "FRAUD_MODEL_URI": str(model),
           "BAZAAR_ENV": "local", "LOG_LEVEL": "WARNING"}
    worker = edge_workers.start_worker(service, edge_workers.ensure_venv(service), free_port(),
                                       env, local_dir / "fraud.log")
    return postgres, worker


def over_http(url: str, per_thread: int) -> dict[str, list[float]]:
    pool = urllib3.PoolManager(maxsize=CONCURRENCY, retries=False)
    client = HttpFraudScreening(url, 2000, "allow")
    fallbacks: list[int] = []

    def health(_: int) -> None:
        assert pool.request("GET", f"{url}/healthz").status == 200

    def decision(n: int) -> None:
        if not client.screen(an_order(n % 300)).screened:
            fallbacks.append(n)

    concurrently(health, 5)  # warm both pools
    concurrently(decision, 5)
    sequential = per_thread * 10
    results = {"1 caller: bare round trip": timed(lambda: health(0), sequential),
               "1 caller: decision": timed(lambda: decision(sequential), sequential),
               BARE: concurrently(health, per_thread),
               DECIDED: concurrently(decision, per_thread)}
    if fallbacks:
        raise RuntimeError(f"{len(fallbacks)} decisions fell back in a 2 s budget")
    return results


def report(results: dict[str, list[float]]) -> str:
    rows = [[name, str(len(s)), f"{statistics.median(s) * 1000:.2f}",
             f"{percentile(s, 0.99) * 1000:.2f}"] for name, s in results.items()]
    return table(["measured", "calls", "p50 ms", "p99 ms"], rows)


def run(quick: bool = False) -> str:
    """Measure in process and over local HTTP; the results as markdown."""
    errors.clear()
    model = newest_model_path()
    scorer = OnnxScorer.from_files(model)
    results = in_process(scorer, 500 if quick else 5000)
    with tempfile.TemporaryDirectory(prefix="fraud-bench-") as folder:
        postgres, worker = start_worker(Path(folder), model)
        try:
            results.update(over_http(worker.url, 10 if quick else 40))
        finally:
            worker.stop()
            postgres.stop()
    lines = [f"Model {scorer.version}, {CONCURRENCY} concurrent callers over HTTP.", "",
             report(results)]
    if errors:
        lines += ["", f"{len(errors)} calls failed: {sorted(set(errors))}"]
    pairs = {"1 caller": ("1 caller: bare round trip", "1 caller: decision"),
             f"{CONCURRENCY} callers": (BARE, DECIDED)}
    lines.append("")
    for label, (bare_name, decided_name) in pairs.items():
        bare, decided = results[bare_name], results[decided_name]
        lines.append(
            f"- added by the check, {label}: "
            f"p50 {(statistics.median(decided) - statistics.median(bare)) * 1000:.2f} ms, "
            f"p99 {(percentile(decided, 0.99) - percentile(bare, 0.99)) * 1000:.2f} ms "
            f"(p99 ratio {percentile(decided, 0.99) / percentile(bare, 0.99):.1f}×)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(run(parser.parse_args().quick))
    print(f"\nmachine load average {os.getloadavg()[0]:.1f} over {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
