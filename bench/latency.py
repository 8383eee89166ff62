"""Latency under load, served as production serves it (bench/serving.py): the two baselines,
GET /v1/categories, POST /v1/sessions and GET /v1/me, 50 clients each; and the category
tree's read in-process, cached and not."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench import serving
from bench.serving import Scenario

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sunny-meadow-42"
# (name, label, what the load generator sends) against the stack's server.
SCENARIOS = (
    ("categories", "GET /v1/categories", {"scenario": "get", "path": "/v1/categories"}),
    ("sessions", "POST /v1/sessions", {"scenario": "sessions"}),
    ("me", "GET /v1/me", {"scenario": "me"}),
)
CATEGORY_READS = 200


@dataclass
class Latency:
    """Everything the latency benchmark measured."""

    users: int
    duration_s: float
    max_requests: int
    setup_s: dict[str, float]
    scenarios: list[Scenario]
    server: str = ""
    category_tree: dict[str, list[float]] = field(default_factory=dict)  # label -> sorted s


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


def make_users(stack, count: int) -> list[dict]:  # noqa: ANN001
    """`count` verified, logged-in customers; waits for their events to be delivered."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        users = list(pool.map(_new_customer, range(count)))
        users = list(pool.map(lambda user: _log_in(stack.base_url, user), users))
    stack.services["pubsub"].wait_until_idle(timeout=120)
    return users


def _timed_calls(call, times: int) -> list[float]:  # noqa: ANN001
    """Sorted seconds of `times` calls, one at a time."""
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return sorted(samples)


def category_tree_reads(times: int = CATEGORY_READS) -> dict[str, list[float]]:
    """The use case against the adapter's read it replaced (what every request ran before
    the tree was cached in the process), in this process."""
    from common import bootstrap
    from common.services.catalog import category_tree

    def read_from_postgres() -> None:
        with bootstrap.unit_of_work() as tx:
            tx.catalog.category_tree()

    category_tree(uow=bootstrap.unit_of_work)  # the first read of the process fills it
    return {"the adapter's read: a unit of work and its SELECT (every request, before)":
            _timed_calls(read_from_postgres, times),
            "`category_tree`, cached in the process (every request but the first, now)":
            _timed_calls(lambda: category_tree(uow=bootstrap.unit_of_work), times)}


def _timed(setup: dict[str, float], name: str, work):  # noqa: ANN001, ANN202
    """Run work(), recording how long it took under setup[name]."""
    began = time.perf_counter()
    result = work()
    setup[name] = time.perf_counter() - began
    return result


def _scenarios(stack, users: list[dict], clients: int, duration_s: float,  # noqa: ANN001
               max_requests: int, say) -> list[Scenario]:  # noqa: ANN001
    """The baselines, then each scenario against the stack."""
    say(f"  baselines: {clients} clients, {duration_s:g} s each")
    results = serving.drive_baselines(stack, clients, duration_s)
    for name, label, job in SCENARIOS:
        say(f"  {label}: {clients} clients, {duration_s:g} s")
        results.append(serving.drive(stack.services["http"], {
            **job, "clients": clients, "users": users, "duration_s": duration_s,
            "max_requests": max_requests}, name, label))
    return results


def run(duration_s: float = 20.0, clients: int = 50, users: int = 50,
        max_requests: int = 1_000_000, say=print) -> Latency:  # noqa: ANN001
    """Start the stack once, make the users, drive each scenario, stop the stack."""
    local_dir = ROOT / ".local" / "bench" / uuid.uuid4().hex[:8]
    saved, setup = dict(os.environ), {}
    os.environ.update(serving.BENCH_ENV)
    say(f"  starting the local stack under gunicorn in {local_dir}")
    stack = _timed(setup, "stack", lambda: serving.start(local_dir))
    try:
        say(f"  creating {users} verified customers")
        made = _timed(setup, "users", lambda: make_users(stack, users))
        results = _scenarios(stack, made, clients, duration_s, max_requests, say)
        say("  the category tree in-process")
        reads = category_tree_reads()
        server = serving.describe(stack.services["http"])
    finally:
        serving.discard(stack, local_dir)
        os.environ.clear()
        os.environ.update(saved)
    return Latency(users, duration_s, max_requests, setup, results, server, reads)
