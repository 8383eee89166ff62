"""k-anonymous order exports over a generated population, in process (no database, no
bucket): the k and l the accumulated release reaches, the rows released, waiting and
suppressed for good, the delay before release, the time of one run, and what a naive
row-level count would have released (its person-level k).

`python -m bench.analytics_export [--quick]`; seeded, so a run is reproducible.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bench.report import table
from common.domain import k_anonymity
from common.domain.k_anonymity import ORDERS, Candidate, audit, check_release, select_releasable

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "PL", "BE", "AT", "SE", "PT", "CZ", "DK", "FI",
             "IE", "LU")
CATEGORIES = ("home", "books", "toys", "garden", "fashion", "sports", "beauty", "music",
              "tools", "pets", "food", "health")


@dataclass(frozen=True)
class Spec:
    buyers: int
    orders: int
    days: int
    release_every_days: int
    max_wait_days: int
    k: int = 5
    l_min: int = 2
    seed: int = 20261201


def population(spec: Spec) -> list[tuple[datetime, Candidate]]:
    """Orders in time order: Zipf-like countries, a home country per buyer, repeat buyers
    (a few buy often), lognormal totals, a favourite category per buyer half of the time."""
    rng = random.Random(spec.seed)
    weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    home = rng.choices(COUNTRIES, weights, k=spec.buyers)
    favourite = [rng.choice(CATEGORIES) for _ in range(spec.buyers)]
    activity = [rng.paretovariate(1.5) for _ in range(spec.buyers)]
    chosen = rng.choices(range(spec.buyers), activity, k=spec.orders)
    rows = []
    for index, buyer in enumerate(chosen):
        at = START + timedelta(seconds=rng.uniform(0, spec.days * 86_400))
        category = favourite[buyer] if rng.random() < 0.5 else rng.choice(CATEGORIES)
        rows.append((at, k_anonymity.order_candidate(
            f"o{index}:{category}", f"{buyer:032x}", country=home[buyer],
            total_amount=int(rng.lognormvariate(8.2, 1.1)) + 100, placed_at=at,
            category=category)))
    rows.sort(key=lambda row: row[0])
    return rows


def simulate(spec: Spec) -> dict[str, float]:
    """Release every `release_every_days` as the service does; what the release reached."""
    rows = population(spec)
    arrived_at = {row.source_id: at for at, row in rows}
    accumulated: list[Candidate] = []
    pending: list[Candidate] = []
    delays, last_run_s, cursor = [], 0.0, 0
    for day in range(spec.release_every_days, spec.days + 1, spec.release_every_days):
        now = START + timedelta(days=day)
        while cursor < len(rows) and rows[cursor][0] < now:
            pending.append(rows[cursor][1])
            cursor += 1
        pending = [r for r in pending if arrived_at[r.source_id] >= now - timedelta(
            days=spec.max_wait_days)]
        began = time.perf_counter()
        selection = select_releasable(pending, ORDERS, spec.k, spec.l_min)
        if selection.released:
            check_release(accumulated, selection.released, ORDERS, spec.k, spec.l_min)
        last_run_s = time.perf_counter() - began
        accumulated.extend(selection.released)
        delays += [(now - arrived_at[r.source_id]).total_seconds() / 86_400
                   for r in selection.released]
        pending = list(selection.waiting)
    found = audit(accumulated, ORDERS)
    waiting_now = len(pending)
    return {"rows": len(rows), "released": len(accumulated), "waiting": waiting_now,
            "suppressed": len(rows) - len(accumulated) - waiting_now, "k": found.k,
            "l": found.l, "classes": found.classes,
            "delay_p50": statistics.median(delays) if delays else 0.0,
            "delay_max": max(delays, default=0.0), "last_run_ms": last_run_s * 1000,
            "naive_person_k": naive_person_k(rows, spec.k)}


def naive_person_k(rows: list[tuple[datetime, Candidate]], k: int) -> int:
    """The person-level k of releasing every class with at least k ROWS (the pitfall)."""
    counts = Counter(row.class_key(ORDERS) for _, row in rows)
    persons: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for _, row in rows:
        if counts[row.class_key(ORDERS)] >= k:
            persons[row.class_key(ORDERS)].add(row.person)
    return min((len(p) for p in persons.values()), default=0)


def report(quick: bool) -> str:
    specs = {"weekly, 62-day wait": Spec(5_000 if quick else 20_000,
                                         20_000 if quick else 150_000, 182, 7, 62),
             "daily, 62-day wait": Spec(5_000 if quick else 20_000,
                                        20_000 if quick else 150_000, 182, 1, 62),
             "sparse: weekly, 62-day wait": Spec(2_000, 6_000, 182, 7, 62),
             "sparse: weekly, 14-day wait": Spec(2_000, 6_000, 182, 7, 14)}
    head = ["run", "orders", "released", "waiting", "suppressed", "k", "l", "classes",
            "delay p50 / max (days)", "last run (ms)", "row-level release: person k"]
    lines = []
    for name, spec in specs.items():
        r = simulate(spec)
        lines.append([name, f"{r['rows']:,}", f"{r['released']:,}", f"{r['waiting']:,}",
                      f"{r['suppressed']:,}", str(r["k"]), str(r["l"]), str(r["classes"]),
                      f"{r['delay_p50']:.1f} / {r['delay_max']:.1f}",
                      f"{r['last_run_ms']:.0f}", str(r["naive_person_k"])])
    return table(head, lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller population")
    print(report(parser.parse_args().quick))
