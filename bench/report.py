"""Markdown for the results, and docs/benchmarks.md with one section per benchmark."""

from __future__ import annotations

import re
from pathlib import Path

from bench.coldstart import LIBRARIES, ColdStart, FunctionResult
from bench.latency import Latency
from bench.serving import Scenario

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# "notes" is written by hand and kept as is.
SECTIONS = ("coldstart", "latency", "images", "catalog", "query_images", "stripe_twin",
            "workflow_steps", "orders", "flash_sale", "time_to_paid", "review_posting",
            "chat_latency", "fl_quality", "promoted_feed", "fraud_quality", "fraud_latency",
            "anonymizer", "analytics_export", "notes")
NOTES = "## Observations\n\n_Written by hand after a run; `python -m bench` keeps this part._"
HEADER = """# Benchmarks

Eighteen benchmarks, all run by `nox -s bench` (that is `python -m bench` from the repository
root; add `-- --only coldstart`, `-- --only latency`, `-- --only images`,
`-- --only catalog`, `-- --only query_images`, `-- --only stripe_twin`,
`-- --only workflow_steps`, `-- --only orders`, `-- --only flash_sale`,
`-- --only time_to_paid`, `-- --only review_posting`, `-- --only chat_latency`,
`-- --only fl_quality`, `-- --only promoted_feed`, `-- --only fraud_quality`,
`-- --only fraud_latency`, `-- --only anonymizer` or `-- --only analytics_export` for one of them,
`-- --quick` for a short smoke run, `-- --no-doc` to print without touching this file).
Each run rewrites the section of each benchmark it ran, with the machine it ran on; the
observations at the end are written by hand and kept. Compare only numbers measured on
the same kind of machine, with nothing else running.

These numbers are a **regression baseline**, not a promise about production: they come
from one small machine, not from Cloud Functions.
"""


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds."""
    return f"{seconds * 1000:.0f}"


def times(value: float, base: float) -> str:
    """value / base as a ratio."""
    return f"{value / base:.1f}×"


def table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _groups(uses: tuple[str, ...]) -> str:
    """A uses list as the report shows it."""
    return ", ".join(uses)


def _libs_of(uses: tuple[str, ...]) -> str:
    """The modules a libraries-only process imports for `uses`."""
    return ", ".join(f"`{m}`" for group in ("core", *uses) for m in LIBRARIES.get(group, ()))


def baseline_rows(result: ColdStart) -> list[list[str]]:
    """The bare interpreter and each libraries-only process."""
    bare = result.bare
    rows = [["bare interpreter: `python -c pass` (spawn to exit)", ms(bare.median),
             ms(bare.minimum), "1.0×"]]
    for uses, case in sorted(result.libraries.items()):
        name = f"core + {_groups(uses)}" if uses else "core only"
        rows.append([f"{name}: {_libs_of(uses)}", ms(case.median),
                     ms(case.minimum), times(case.median, bare.median)])
    return rows


def function_rows(result: ColdStart) -> list[list[str]]:
    """One row per function: both probes, against the bare and the libraries-only process."""
    rows = []
    for f in result.functions:
        libs = result.libraries[f.uses].median
        first, deep = f.first, f.deep
        rows.append([f"`{f.name}`", f.trigger, _groups(f.uses),
                     f.labels[0], "/".join(map(str, first.statuses)),
                     ms(first.median), ms(first.minimum), times(first.median, result.bare.median),
                     times(first.median, libs),
                     f.labels[1], "/".join(map(str, deep.statuses)),
                     ms(deep.median), times(deep.median, libs)])
    return rows


def phase_rows(result: ColdStart) -> list[list[str]]:
    """Per function: where the median cold start goes, for both probes."""
    rows = []
    for f in result.functions:
        first, deep = f.first, f.deep
        rows.append([f"`{f.name}`", ms(first.phase("interpreter")), ms(first.phase("framework")),
                     ms(first.phase("main")), ms(first.phase("request")),
                     ms(deep.phase("request"))])
    return rows


def _modules(names: list[str], f: FunctionResult, costs: bool) -> str:
    """Heavy modules (with import cost), those outside the uses' libraries in bold."""
    if not names:
        return "—"
    shown = [f"`{n}` {f.import_ms[n]:.0f}" if costs and n in f.import_ms else f"`{n}`"
             for n in names]
    return ", ".join(f"**{s} (not in uses)**" if n in f.unexpected else s
                     for n, s in zip(names, shown, strict=True))


def module_rows(result: ColdStart) -> list[list[str]]:
    """Per function: heavy modules after each probe, and whether any is outside its uses."""
    rows = []
    for f in result.functions:
        verdict = "ok" if not f.unexpected else "**" + ", ".join(f.unexpected) + "**"
        rows.append([f"`{f.name}`", _groups(f.uses), _modules(f.first.heavy, f, False),
                     _modules(f.deep.heavy, f, True), verdict])
    return rows


COLDSTART_METHOD = """Each process is a fresh `python` started with `subprocess` that loads
`functions/<name>/main.py` exactly as functions-framework does
(`functions_framework.create_app(target, source, signature_type)`) and serves one request
through the app's test client (bench/coldchild.py). The time runs from just before the
process is spawned to the moment the first response is back (so interpreter start and all
imports count; interpreter shutdown does not). Settings load but nothing connects:
`DATABASE_URL` points at a missing Unix socket and the emulator hosts at a closed port on
127.0.0.1, so a request that reaches its first I/O fails at once (503, or 500 where no
`@endpoint` turns it into a problem response). Every kind of process runs once untimed
first (bytecode caches and page cache warm, as on an instance whose image is cached),
then {runs} times in round-robin order; medians and minimums are shown.

- **First request**: an I/O-free request a cold instance can answer alone: an invalid
  body or query (422), no token (401), `GET /healthz`, or a malformed Pub/Sub push
  envelope (acknowledged, 200). The two scheduler-driven
  functions have no such request: theirs goes straight to the database.
- **Deeper request**: a valid request that goes as far as its first I/O (a well-formed
  unsigned emulator token where one is needed), so that the libraries a real first
  request needs are imported too. Libraries used only after the first I/O (publishing to
  Pub/Sub after a commit, SMTP) are not reached by either probe.
- **Baselines**: `python -c pass`, and a process that imports only the client
  libraries of the function's `uses:` groups (plus `core`) and reports, like the
  function's process. ×bare and ×libs divide a
  function's median by theirs."""

PHASES_METHOD = """Time stamps taken inside the child split each cold start into: starting the
interpreter (spawn to the first line of the child), `import functions_framework` (Flask,
Werkzeug, CloudEvents), loading `main.py` (`create_app`: the function's module and all of
`common` it imports at module level, pydantic schemas included), and serving the request
(where lazily imported client libraries are paid for). The last column is the request
phase of the deeper request."""

MODULES_METHOD = """Heavy modules are looked up in `sys.modules` after the response; the numbers
after a module are its cumulative import time in ms from one extra `python -X importtime`
run of the deeper request (where a module is imported inside another heavy one, its time
is part of that one's too). A module is flagged when the libraries of the function's
`uses:` groups do not import it themselves (checked against the libraries-only process)."""


def coldstart_section(result: ColdStart, machine: str) -> str:
    """The cold-start section."""
    flagged = [f.name for f in result.functions if f.unexpected]
    verdict = ("No function imports a heavy library outside its `uses:` groups."
               if not flagged else "Functions importing a heavy library outside their `uses:` "
               "groups: " + ", ".join(f"`{n}`" for n in flagged) + ".")
    return "\n\n".join([
        "## Cold start", f"Measured {machine}.", COLDSTART_METHOD.format(runs=result.runs),
        "### Baselines (ms)", table(["process", "median", "min", "×bare"], baseline_rows(result)),
        "### Functions (ms)", table(
            ["function", "trigger", "uses", "first request sent", "status", "median", "min",
             "×bare", "×libs", "deeper request sent", "status", "median", "×libs"],
            function_rows(result)),
        "### Where the time goes (medians, ms)", PHASES_METHOD, table(
            ["function", "interpreter start", "import functions_framework",
             "load main.py (create_app)", "first request", "deeper request"],
            phase_rows(result)),
        "### Heavy modules imported", MODULES_METHOD, table(
            ["function", "uses", "after first request", "after deeper request (ms)",
             "outside uses"], module_rows(result)), verdict + (
                 " Not measured (no probe in bench/cases.py): "
                 + ", ".join(f"`{n}`" for n in result.skipped) + "." if result.skipped else "")])

LATENCY_METHOD = """The whole local stack is started once (`devstack.stack.start_stack` on free
ports under `.local/bench/`, with tests/conftest.py's settings but login limits of 1,000,000
per email and per address, and `LOG_LEVEL=WARNING`), every function served the way Cloud
Functions serves each one: by gunicorn, functions-framework's production server
({server}; devstack/gunicorn.py, one process over the router, each worker loading
every function itself after the fork). Beside it, the same server runs the **baselines**
(bench/baseline_function.py): a bare functions-framework function that does nothing, and
the same with one `SELECT 1` on a pooled connection of common's engine (a bare SQL round
trip). {users} verified customers are created with the registration use case and logged in
once. Then each scenario runs {clients} keep-alive clients (threads with a
`requests.Session` each, in a separate process, bench/loadgen.py); client *i* acts as
customer *i* mod {users}: one untimed warm-up request, then requests back to back for
{duration:g} s. Latency percentiles are over the 200 answers (nearest rank); anything else
is an error. Only 127.0.0.1 is targeted. **÷ bare** divides a figure by the bare
function's in the same run.

**Read these as a regression baseline, not production numbers.** The 2-core machine also
runs the load generator, the embedded PostgreSQL, the Pub/Sub stand-in and, for
`POST /v1/sessions`, the Firebase Auth emulator (Node), which every login calls
(`accounts:signInWithPassword`); Cloud Functions would give each function instances of its
own. With {clients} clients in flight and only a few requests running at once, most of the
latency is queueing (Little's law: latency ≈ clients ÷ throughput). The last column is the
most database connections each worker held at once (SQLAlchemy pool events inside the
workers, devstack/server_stats.py); a worker's pool per database role allows
`DATABASE_POOL_SIZE` (5) plus as many again in overflow, above its threads."""


def fine_ms(seconds: float) -> str:
    """Milliseconds, with a decimal under 10 ms (where the ratios are computed from)."""
    value = seconds * 1000
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _ratio(value: float, base: float | None) -> str:
    """value ÷ base, or — without a baseline."""
    return f"{value / base:.2f}×" if base else "—"


def latency_rows(result: Latency) -> list[list[str]]:
    """One row per scenario, its throughput and latencies also ÷ the bare function's."""
    return scenario_rows(result.scenarios)


def scenario_rows(scenarios: list[Scenario]) -> list[list[str]]:
    """LATENCY_HEAD's rows: throughput and latencies also ÷ the bare function's ("bare")."""
    bare = next((s for s in scenarios if s.name == "bare"), None)
    rows = []
    for s in scenarios:
        other = {k: v for k, v in sorted(s.outcomes.items()) if k not in s.ok}
        errors = str(s.errors) + (" (" + ", ".join(f"{k}: {v}" for k, v in other.items()) + ")"
                                  if other else "")
        pool = s.db_pool.get("max_in_use")
        rows.append([f"`{s.label}`", str(s.clients), str(s.requests), f"{s.elapsed_s:.1f}",
                     f"{s.throughput:.1f}", _ratio(s.throughput, bare and bare.throughput),
                     fine_ms(s.percentile(50)),
                     _ratio(s.percentile(50), bare and bare.percentile(50)),
                     fine_ms(s.percentile(95)), fine_ms(s.percentile(99)),
                     _ratio(s.percentile(99), bare and bare.percentile(99)),
                     fine_ms(s.latencies_s[-1]) if s.latencies_s else "—", errors,
                     ", ".join(map(str, pool)) if pool else "—"])
    return rows


LATENCY_HEAD = ["scenario", "clients", "requests", "s", "req/s", "÷ bare", "p50", "÷ bare",
                "p95", "p99", "÷ bare", "max", "errors", "DB connections in use (max per worker)"]


def server_log_lines(result: Latency) -> list[str]:
    """The server's warnings during each scenario, counted by message."""
    lines = []
    for s in result.scenarios:
        for message, count in sorted(s.server_log.items(), key=lambda item: -item[1]):
            lines.append(f"- `{s.label}`: {count} × `{message}`")
    return lines or ["- none"]


def microseconds(samples: list[float]) -> list[str]:
    """n, p50, p95, p99 and max (nearest rank) of sorted samples, in µs."""
    def at(p: float) -> float:
        return samples[min(len(samples) - 1, max(0, round(p / 100 * len(samples) + 0.5) - 1))]

    return [str(len(samples))] + [f"{at(p) * 1e6:,.1f}" for p in (50, 95, 99, 100)]


CATEGORY_METHOD = """In the benchmark's process, one at a time: the category tree as every
`GET /v1/categories` read it before (a unit of work and the adapter's SELECT over the
categories and their sub-categories), against the use case now, which keeps the tree in
the process after its first read (common/services/catalog.py)."""


def latency_section(result: Latency, machine: str) -> str:
    """The latency section."""
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    clients = next(s.clients for s in result.scenarios)
    return "\n\n".join([
        "## Latency under load", f"Measured {machine}.",
        LATENCY_METHOD.format(users=result.users, clients=clients, duration=result.duration_s,
                              server=result.server),
        "### Results (ms)", table(LATENCY_HEAD, latency_rows(result)),
        f"Setup: {setup}.",
        "Warnings and errors the server logged meanwhile:\n\n" + "\n".join(
            server_log_lines(result)),
        "### The category tree, in-process (µs)", CATEGORY_METHOD,
        table(["read", "n", "p50", "p95", "p99", "max"],
              [[label, *microseconds(samples)]
               for label, samples in result.category_tree.items()])])


def _existing_sections() -> dict[str, str]:
    """The sections of the current docs/benchmarks.md, by name."""
    text = DOC.read_text() if DOC.exists() else ""
    found = {}
    for name in SECTIONS:
        match = re.search(f"<!-- bench:{name} -->\n(.*?)\n<!-- /bench:{name} -->", text, re.S)
        if match:
            found[name] = match.group(1)
    return found


def write_doc(sections: dict[str, str]) -> Path:
    """Rewrite docs/benchmarks.md: the new sections, the others kept as they were."""
    merged = {"notes": NOTES, **_existing_sections(), **sections}
    parts = [HEADER.rstrip()]
    for name in SECTIONS:
        body = merged.get(name, f"_Not run yet: `python -m bench --only {name}`._")
        parts.append(f"<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->")
    DOC.write_text("\n\n".join(parts) + "\n")
    return DOC
