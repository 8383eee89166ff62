"""Row-lock waits, sampled from pg_stat_activity while a benchmark's load runs: how many
backends waited on a lock, for what, and what the backend holding it was doing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.report import fine_ms
from bench.serving import Scenario

SAMPLE_EVERY_S = 0.02
# Each busy backend; for one waiting on a lock, also the states of the backends it waits for.
ACTIVITY = """
SELECT a.state, coalesce(a.wait_event_type, ''), coalesce(a.wait_event, ''),
       CASE WHEN a.wait_event_type = 'Lock' THEN (
         SELECT coalesce(string_agg(DISTINCT b.state, ','), '') FROM pg_stat_activity b
         WHERE b.pid = ANY (pg_blocking_pids(a.pid))) ELSE '' END
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.backend_type = 'client backend'
  AND a.pid <> pg_backend_pid() AND a.state IN ('active', 'idle in transaction')"""
LOCK_HEAD = ["scenario", "samples", "backends active", "idle in transaction",
             "waiting on a lock", "lock waits seen (samples)", "wait per request ms",
             "samples with a lock queue", "blocker idle in transaction"]


@dataclass
class Waits:
    """pg_stat_activity sampled during a scenario: sample count, backends seen by kind."""

    samples: int = 0
    queued: int = 0  # samples in which at least one backend waited on a lock
    window_s: float = 0.0  # from the first sample to the last
    # (state, wait type, wait event, the blockers' states) -> n
    seen: Counter = field(default_factory=Counter)

    def mean(self, match: Callable[[tuple[str, str, str, str]], bool]) -> float:
        """Mean backends per sample whose (state, wait type, wait event, blockers) matches."""
        return sum(n for key, n in self.seen.items() if match(key)) / max(1, self.samples)


@contextmanager
def sampled(waits: Waits) -> Iterator[None]:
    """Sample pg_stat_activity every SAMPLE_EVERY_S on one connection for the block."""
    from sqlalchemy import text

    from common import bootstrap

    done = threading.Event()

    def sample() -> None:
        began = time.perf_counter()
        with bootstrap.engine().connect() as db:
            while not done.wait(SAMPLE_EVERY_S):
                busy = [tuple(row) for row in db.execute(text(ACTIVITY))]
                waits.seen.update(busy)
                waits.samples += 1
                waits.queued += any(row[1] == "Lock" for row in busy)
                db.rollback()  # a fresh snapshot of pg_stat_activity next time
                waits.window_s = time.perf_counter() - began

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()


def holder_idle(waits: Waits) -> str:
    """Of the samples of a backend waiting for a row's transaction, the share whose blocker
    was `idle in transaction` (its Python between two statements) rather than `active`."""
    waiting = sum(n for k, n in waits.seen.items() if k[2] == "transactionid")
    idle = sum(n for k, n in waits.seen.items()
               if k[2] == "transactionid" and "idle in transaction" in k[3])
    return f"{idle / waiting:.0%}" if waiting else "—"


def wait_per_request(waits: Waits, requests: int) -> float:
    """Seconds each of `requests` waited on a lock, estimated: the backends seen waiting ×
    the time each sample stands for ÷ the requests."""
    return waits.mean(lambda k: k[1] == "Lock") * waits.window_s / max(1, requests)


def lock_rows(scenarios: list[Scenario], waits_of: dict[str, Waits],
              untimed: dict[str, int]) -> list[list[str]]:
    """LOCK_HEAD's rows: per sampled scenario, backends busy and waiting on a lock per
    sample, and the wait per request that implies (over its requests and the `untimed`
    ones of the same window that take the same locks)."""
    rows = []
    for s in scenarios:
        waits = waits_of.get(s.name)
        if waits is None:
            continue
        busy = waits.mean(lambda k: k[0] == "active")
        locked = waits.mean(lambda k: k[1] == "Lock")
        events: Counter = Counter()
        for key, n in waits.seen.items():
            if key[1] == "Lock":
                events[key[2]] += n
        rows.append([f"`{s.label}`", str(waits.samples), f"{busy:.2f}",
                     f"{waits.mean(lambda k: k[0] == 'idle in transaction'):.2f}",
                     f"{locked:.2f}", ", ".join(f"{e} {n}" for e, n in events.most_common())
                     or "—", fine_ms(wait_per_request(waits, s.requests
                                                      + untimed.get(s.name, 0))),
                     f"{waits.queued / max(1, waits.samples):.0%}", holder_idle(waits)])
    return rows


METHOD = """A thread of the benchmark's process reads pg_stat_activity every
{every:g} ms during each scenario (client backends of the database in state `active` or
`idle in transaction`, the sampler left out). *Waiting on a lock* counts backends whose
`wait_event_type` is `Lock` (`transactionid`: waiting for the transaction that updated the
row to end; `tuple`: queued behind another waiter for the row). Means are per sample over
the whole scenario, its warm-up included; the wait per request is the backends seen waiting
× the time a sample stands for ÷ the requests that took the locks (Little's law), an
estimate from sampling.
*Samples with a lock queue*: the share of samples in which at least one backend waited on
a lock (the row was held, with others queued behind it). The last column is, of the
samples of a backend waiting for the row's transaction (`transactionid`), the share in
which that transaction's backend (`pg_blocking_pids`) was `idle in transaction`: holding
the row lock while its function ran Python between two statements, not running SQL."""
