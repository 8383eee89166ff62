"""The promoted feed with 10,000 active promotions: GET /v1/feed/promoted at 20 concurrent
users (anonymous, and devices with preference features), beside the bare function and the
bare SQL round trip of the same run; then the time from an interaction POST to a feed that
shows it."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests

from bench import order_shop, serving
from bench.report import LATENCY_HEAD, scenario_rows, table
from bench.serving import Scenario
from common.adapters.postgres_feed import FEED_CANDIDATES_TTL_S

PROMOTIONS = 10_000
VENDORS = 500
PAGE_SIZE = 20
PATH = f"/v1/feed/promoted?page_size={PAGE_SIZE}"
POLL_S = 0.02
_ACCOUNTS = """
    INSERT INTO accounts (id, email, name, role, state, email_verified)
    SELECT gen_random_uuid(), 'bench-feed-' || g || '-' || :tag || '@example.com',
           'Bench vendor ' || g, 'vendor', 'active', true
    FROM generate_series(1, :vendors) g RETURNING id"""
_PRODUCTS = """
    INSERT INTO products (id, vendor_id, name, description, price_amount, currency,
                          category_id, subcategory_id, stock, status)
    SELECT gen_random_uuid(), v.ids[1 + mod(g, :vendors)], 'Bench promoted ' || g,
           'A product promoted for the feed benchmark.', 500 + mod(g * 7919, 50000), 'EUR',
           s.category_id, s.id, 10, 'listed'
    FROM generate_series(1, :n) g
    CROSS JOIN (SELECT CAST(:vendor_ids AS uuid[]) AS ids) v
    JOIN (SELECT id, category_id, row_number() OVER (ORDER BY id) - 1 AS k FROM subcategories) s
      ON s.k = mod(g, (SELECT count(*) FROM subcategories))"""
_PROMOTIONS = """
    INSERT INTO promotions (id, product_id, vendor_id, status, starts_at, ends_at, days,
                            daily_rate, fee_amount, paid_with, idempotency_key, request_hash)
    SELECT gen_random_uuid(), p.id, p.vendor_id, 'active', :start,
           CAST(:start AS timestamptz) + make_interval(days => 30), 30, 500, 15000, 'balance',
           'bench-' || p.id, 'bench'
    FROM products p
    WHERE starts_with(p.name, 'Bench promoted ') AND p.vendor_id = ANY(CAST(:v AS uuid[]))
    RETURNING id"""
# Past traffic, so that popularity has something to go on: up to 2,000 impressions each.
_STATS = """
    INSERT INTO promotion_stats (promotion_id, day, impressions, clicks)
    SELECT id, CAST(:day AS date), 50 + mod(abs(hashtext(id::text)), 2000),
           mod(abs(hashtext(id::text || 'c')), 60)
    FROM unnest(CAST(:ids AS uuid[])) AS id"""


@dataclass
class PromotedFeedRun:
    """Everything the feed benchmark measured."""

    clients: int
    duration_s: float
    promotions: int
    scenarios: list[Scenario]
    to_changed_s: list[float]  # interaction POST sent -> first feed that reflects it
    setup_s: dict[str, float]
    server: str


def _seed(say: Callable[[str], None]) -> list[str]:
    """VENDORS vendors with PROMOTIONS listed products, each with an active promotion and
    some past impressions and clicks (as the database owner); the promoted product ids."""
    from sqlalchemy import text

    from common import bootstrap

    say(f"  inserting {VENDORS} vendors, {PROMOTIONS} products and their active promotions")
    now = datetime.now(timezone.utc)
    with bootstrap.engine().begin() as db:
        vendors = [str(r.id) for r in db.execute(text(_ACCOUNTS), {
            "vendors": VENDORS, "tag": uuid.uuid4().hex[:8]})]
        db.execute(text(_PRODUCTS), {"n": PROMOTIONS, "vendors": VENDORS,
                                     "vendor_ids": vendors})
        promotions = [str(r.id) for r in db.execute(text(_PROMOTIONS), {
            "start": now - timedelta(hours=1), "v": vendors})]
        db.execute(text(_STATS), {"ids": promotions, "day": now.date()})
        db.execute(text("ANALYZE promotions, products, promotion_stats"))
        return [str(r.product_id) for r in db.execute(text(
            "SELECT product_id FROM promotions WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": promotions})]


def _feed(base_url: str, device: str | None) -> list[dict]:
    headers = {"X-Device-Id": device} if device else {}
    answer = requests.get(base_url + PATH, headers=headers, timeout=30)
    answer.raise_for_status()
    return answer.json()["items"]


def _interact(base_url: str, device: str, product_ids: list[str]) -> None:
    at = datetime.now(timezone.utc).isoformat()
    answer = requests.post(base_url + "/v1/interactions", headers={"X-Device-Id": device},
                           timeout=30, json={"events": [
                               {"type": "view", "product_id": p, "at": at} for p in product_ids]})
    answer.raise_for_status()


def _personal(items: list[dict]) -> bool:
    return any(item["reason"].startswith("because you viewed") for item in items)


def _time_to_changed(base_url: str, product_ids: list[str], trials: int) -> list[float]:
    """For fresh devices one after another: seconds from sending an interaction batch (views
    of three promoted products) to the first feed whose reasons show it (polled)."""
    seconds = []
    for trial in range(trials):
        device = f"bench-feed-{uuid.uuid4().hex}"
        if _personal(_feed(base_url, device)):
            raise RuntimeError("a fresh device got a personal feed")
        began = time.perf_counter()
        _interact(base_url, device, product_ids[trial * 3:trial * 3 + 3])
        while not _personal(_feed(base_url, device)):
            if time.perf_counter() - began > 60:
                raise RuntimeError("the feed did not change within 60 s")
            time.sleep(POLL_S)
        seconds.append(time.perf_counter() - began)
    return seconds


def _devices(base_url: str, product_ids: list[str], clients: int) -> list[dict]:
    """`clients` devices whose views made their features (their feeds are personal)."""
    devices = [f"bench-feed-load-{uuid.uuid4().hex}" for _ in range(clients)]
    for i, device in enumerate(devices):
        _interact(base_url, device, product_ids[-(i * 5 + 5):][:5])
    deadline = time.monotonic() + 120
    while not all(_personal(_feed(base_url, device)) for device in devices):
        if time.monotonic() > deadline:
            raise RuntimeError("the load devices' features did not arrive")
        time.sleep(0.5)
    return [{"device_id": device} for device in devices]


def run(duration_s: float = 15.0, clients: int = 20, trials: int = 20,
        say: Callable[[str], None] = print) -> PromotedFeedRun:
    """Start the stack, seed the promotions, drive the baselines and both feeds, then time
    interactions to a changed feed."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        began = time.perf_counter()
        product_ids = _seed(say)
        setup["10,000 promotions"] = time.perf_counter() - began
        began = time.perf_counter()
        users = _devices(stack.base_url, product_ids, clients)
        setup[f"{clients} devices with features"] = time.perf_counter() - began
        say(f"  baselines and the feed: {clients} clients, {duration_s:g} s each")
        results = serving.drive_baselines(stack, clients, duration_s)
        for name, label, job_users in (
                ("anonymous", f"GET {PATH}, anonymous (popularity)", [{}]),
                ("device", f"GET {PATH}, X-Device-Id with features (personal)", users)):
            results.append(serving.drive(stack.services["http"], {
                "clients": clients, "duration_s": duration_s, "path": PATH,
                "users": job_users}, name, label, module="bench.feed_loadgen"))
        say(f"  interaction to changed feed: {trials} fresh devices")
        to_changed = _time_to_changed(stack.base_url, product_ids, trials)
        return PromotedFeedRun(clients, duration_s, PROMOTIONS, results, to_changed, setup,
                               serving.describe(stack.services["http"]))


METHOD = """The whole local stack under gunicorn ({server}), with the baselines beside it, as
in the latency benchmark (bench/serving.py). {promotions} products of {vendors} vendors,
spread over every subcategory, each with a promotion active now and some past impressions
and clicks, are inserted with SQL. {clients} devices each send one batch of five views
(`POST /v1/interactions`) and wait until their feed is personal. Then, from a separate
process (bench/feed_loadgen.py), {clients} keep-alive clients ask `GET {path}` back to back
for {duration:g} s: anonymously (the popularity ranking), then each as its device (features
read, the user vector folded in when the model knows its items, the blend). Every request
ranks all {promotions} active promotions, which each worker reads with their products in one
query at most every {ttl:g} s (the requests meanwhile use the previous read), and publishes
`feed.served` (whose consumer counts the impressions meanwhile).

**Interaction to changed feed**: for {trials} fresh devices one after another, the time from
sending a batch of three views to the first `GET` (polled every {poll:.0f} ms) whose items
carry a "because you viewed …" reason: the Pub/Sub push, update_preferences' transaction,
and the next read."""


def section(result: PromotedFeedRun, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    changed = sorted(result.to_changed_s)
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    return "\n\n".join([
        "## Promoted feed: 10,000 active promotions", f"Measured {where}.",
        METHOD.format(server=result.server, promotions=result.promotions, vendors=VENDORS,
                      clients=result.clients, path=PATH, duration=result.duration_s,
                      trials=len(changed), poll=POLL_S * 1000, ttl=FEED_CANDIDATES_TTL_S),
        "### Results (ms)", table(LATENCY_HEAD, scenario_rows(result.scenarios)),
        "### Interaction to changed feed (ms)",
        table(["trials", "p50", "max", "min"],
              [[str(len(changed)), f"{statistics.median(changed) * 1000:.0f}",
                f"{changed[-1] * 1000:.0f}", f"{changed[0] * 1000:.0f}"]]),
        f"Setup: {setup}.",
        "Warnings and errors the server logged meanwhile:\n\n" + "\n".join(
            f"- `{s.label}`: {count} × `{message}`" for s in result.scenarios
            for message, count in sorted(s.server_log.items(), key=lambda i: -i[1]))
        if any(s.server_log for s in result.scenarios) else
        "Warnings and errors the server logged meanwhile: none.",
    ])
