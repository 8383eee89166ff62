"""The catalog latency section of docs/benchmarks.md: its method, tables and query plans."""

from __future__ import annotations

import re
import statistics
from types import SimpleNamespace

from bench import report, serving
from bench.catalog_latency import SCENARIOS, CatalogLatency
from bench.catalog_probes import OLD_DEFAULT, OLD_RANDOM_PAGE_COST

GOALS_S = {"text": 0.050, "image": 0.150}  # p99, from the issue; indexing: 1 s per image

METHOD = """The whole local stack is started on a fresh folder (`devstack.stack.start_stack` on
free ports, settings as in the latency benchmark) and seeded straight through SQL
(bench/catalog_data.py, seeded, COPY): {products:,} products over all {subs} sub-categories
from {vendors} verified vendors (a few big ones and a long tail; {customers:,} customer
accounts besides, so that `accounts` is not tiny), names and descriptions
from word lists per category, 3 % unlisted, 60 % rated, created over the last year;
{images:,} ready images on {with_images:,} products, each a generated 320×240 photo with
its labels and 1280-d embedding from the real recognizer; a search lexicon of {lexicon:,}
words; then `VACUUM ANALYZE`. Each scenario runs bench/loadgen.py's keep-alive clients in
their own process (one untimed warm-up request each, then back to back), each request
drawn at random: a sub-category's first page (all {subs}), its second page (the
`next_page_token` of the first), one of 300 queries of 1–2 words (a product noun; an
adjective or material and a noun; or a noun with one typo, a quarter of them), or one
of 40 customer photos of seeded products (640×480, cropped, rotated, recoloured, JPEG 60).
Percentiles are nearest-rank over the 200 answers. The functions are served as in the
latency benchmark ({server}, one process over the router), and each table starts with
that section's two baselines under the same server at the same concurrency; **÷ bare**
divides a figure by the bare function's in the same table.

**20 clients on this 2-core machine mostly measure queueing** (the server's workers,
PostgreSQL and the load generator share the two cores): latency ≈ clients ÷ throughput.
The one-client runs show the cost of one request; the in-process rows the cost of the SQL
(or the recognizer) alone."""

PLANNER = """Our pooled connections set `random_page_cost = 1.1` (common/adapters/database.py;
`SHOW random_page_cost` on one during this run: {now}). These rows run the in-process SQL
above once more with `SET random_page_cost = {old}` on each connection, PostgreSQL's
default, which prices a random read as on a spinning disk; with the data in memory or on
SSD (Cloud SQL), 1.1 is the usual setting. Where the old default is slower, its planner
chose a sequential scan over an index (the plans below are those of the current setting)."""

INDEXING = """One upload at a time, after untimed ones until every worker of the server had
indexed one (its storage client and Pub/Sub publisher built, as on a warm instance): the
signed URL from the use case in-process, the PUT to fake-gcs-server, then
`GET /v1/products/{id}` every 20 ms until the image is ready. The finalize event travels
fake-gcs-server → Pub/Sub stand-in → push to `index_product_image`; "in the function" is
that push request inside the server's worker (read, validate, renditions written,
recognition, commit, events)."""

COLDSTART = """As in the cold-start section (fresh process, nothing connects, medians of
{runs} runs). The deeper request of `search_products_by_image` is a multipart `image` that
is no image: the function builds the recognizer (loads the model) before it decodes the
upload, so it pays the model load and fails at decode (422) without I/O; the first
recognition is not in it (see the next table). That of `index_product_image` is a finalize
event of the upload bucket: storage client and model first, then the database (fails,
500)."""


def rank(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    if not samples:
        return float("nan")
    return samples[min(len(samples) - 1, max(0, round(p / 100 * len(samples) + 0.5) - 1))]


def _rows(scenarios: list[serving.Scenario]) -> list[list[str]]:
    return report.latency_rows(SimpleNamespace(scenarios=scenarios))


def _spread(samples: list[float]) -> list[str]:
    return [str(len(samples))] + [report.ms(rank(samples, p)) for p in (50, 95, 99)] + [
        report.ms(samples[-1])]


def _goal_rows(result: CatalogLatency) -> list[list[str]]:
    rows = []
    for name, goal in GOALS_S.items():
        one, many = (next(s for s in group if s.name == name)
                     for group in (result.single, result.loaded))
        met = ["yes" if s.percentile(99) < goal else "no" for s in (one, many)]
        rows.append([f"{name} search p99 < {report.ms(goal)} ms", report.ms(one.percentile(99)),
                     report.ms(many.percentile(99)), f"{met[0]} / {met[1]}"])
    worst = max(steps["PUT done → ready"][-1] for steps in result.indexing.values())
    rows.append(["indexing < 1 s per image (upload finished → ready, max)", report.ms(worst),
                 "—", "yes" if worst < 1 else "no"])
    return rows


def _in_process_rows(in_process: dict[str, list[float]]) -> list[list[str]]:
    """The in-process rows under the current planner setting."""
    return [[k, *_spread(v)] for k, v in in_process.items() if not k.startswith(OLD_DEFAULT)]


def _planner_rows(result: CatalogLatency) -> list[list[str]]:
    """Per statement compared: the old default's row, then the current setting's."""
    rows = []
    for key, old in result.in_process.items():
        if key.startswith(OLD_DEFAULT):
            now = key.removeprefix(OLD_DEFAULT).strip()
            rows.append([now, f"{OLD_RANDOM_PAGE_COST} (old default)", *_spread(old)])
            rows.append([now, f"{result.random_page_cost} (now)",
                         *_spread(result.in_process[now])])
    return rows


def _breakdown_rows(result: CatalogLatency) -> list[list[str]]:
    """Per scenario: 1-client median, the in-process part of it, the rest (HTTP, gunicorn,
    Flask, pydantic, JSON), and the 20-client median (the rest is waiting)."""
    inside = {name: sum(statistics.median(v) for k, v in result.in_process.items()
                        if k.startswith(name + ":")) for name, _ in SCENARIOS}
    rows = []
    for one, many in zip(result.single, result.loaded, strict=True):
        if one.name not in inside:  # a baseline
            continue
        p50 = one.percentile(50)
        rest = max(0.0, p50 - inside[one.name])  # medians of separate runs: ≈, never < 0
        rows.append([one.label, report.ms(p50), report.ms(inside[one.name]), report.ms(rest),
                     report.ms(many.percentile(50))])
    return rows


def _plan_rows(plans: dict[str, str]) -> list[list[str]]:
    rows = []
    for label, plan in plans.items():
        used = re.findall(r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) "
                          r"(\w+)", plan)
        scans = re.findall(r"Seq Scan on (\w+)", plan)
        took = re.search(r"Execution Time: ([\d.]+) ms", plan)
        rows.append([label, took.group(1) if took else "?",
                     ", ".join(f"`{i}`" for i in dict.fromkeys(used)) or "—",
                     ", ".join(f"`{t}`" for t in dict.fromkeys(scans)) or "—"])
    return rows


def _indexing_rows(indexing: dict[str, dict[str, list[float]]]) -> list[list[str]]:
    return [[size, step, *_spread(samples)] for size, steps in indexing.items()
            for step, samples in steps.items()]


def _latency_parts(result: CatalogLatency) -> list[str]:
    """Goals, both load tables, the in-process work, what the planner setting buys."""
    head, spread = report.LATENCY_HEAD, ["n", "p50", "p95", "p99", "max"]
    return [
        "### Goals (ms)", report.table(["goal (from the issue)", "1 client", "20 clients",
                                        "met (1 / 20 clients)"], _goal_rows(result)),
        "### 20 concurrent clients (ms)", report.table(head, _rows(result.loaded)),
        "### One client (ms)", report.table(head, _rows(result.single)),
        "### Without HTTP: the same work in-process, one at a time (ms)",
        report.table(["what", *spread], _in_process_rows(result.in_process)),
        "### What `random_page_cost = 1.1` buys (in-process, ms)",
        PLANNER.format(now=result.random_page_cost, old=OLD_RANDOM_PAGE_COST),
        report.table(["what", "random_page_cost", *spread], _planner_rows(result)),
        "### Where the time goes (medians, ms)",
        report.table(["scenario", "1 client", "in-process part (sum of its rows above)",
                      "the rest: HTTP, gunicorn, Flask, pydantic, JSON", "20 clients"],
                     _breakdown_rows(result)),
        f"Search by image found the photographed product first for {result.image_hits[0]} "
        f"of {result.image_hits[1]} customer photos."]


def _plan_parts(plans: dict[str, str]) -> list[str]:
    """The plans' summary table, then each plan folded."""
    folded = "\n\n".join(f"<details><summary>{label}</summary>\n\n```\n{plan}\n```\n"
                         "</details>" for label, plan in plans.items())
    return ["### Query plans (EXPLAIN ANALYZE, BUFFERS; one run each, warm cache)",
            report.table(["statement", "execution ms", "indexes used", "sequential scans"],
                         _plan_rows(plans)), folded]


def _coldstart_parts(result: CatalogLatency) -> list[str]:
    cold = result.coldstart
    return [
        "### Cold start of the image functions (ms)", COLDSTART.format(runs=cold.runs),
        report.table(["process", "median", "min", "×bare"], report.baseline_rows(cold)),
        report.table(["function", "trigger", "uses", "first request sent", "status", "median",
                      "min", "×bare", "×libs", "deeper request sent", "status", "median",
                      "×libs"], report.function_rows(cold)),
        report.table(["function", "interpreter start", "import functions_framework",
                      "load main.py (create_app)", "first request", "deeper request"],
                     report.phase_rows(cold)),
        report.table(["function", "uses", "after first request", "after deeper request (ms)",
                      "outside uses"], report.module_rows(cold)),
        "The model's part, in a fresh process (medians; a 640×480 JPEG):",
        report.table(["step", "ms"], [[step, report.ms(s)] for step, s in
                                      result.model_s.items()])]


def section(result: CatalogLatency, machine: str) -> str:
    """The catalog latency section."""
    seeded = result.seeded
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    return "\n\n".join([
        "## Catalog latency", f"Measured {machine}.",
        METHOD.format(products=seeded.products, subs=len(seeded.subcategories),
                      vendors=len(seeded.vendors), customers=seeded.customers,
                      images=seeded.images,
                      with_images=len({p for _, p in seeded.photos}), lexicon=seeded.lexicon,
                      server=result.server),
        *_latency_parts(result), *_plan_parts(result.plans),
        "### Indexing an upload (ms)", INDEXING,
        report.table(["photo", "step", "n", "p50", "p95", "p99", "max"],
                     _indexing_rows(result.indexing)),
        *_coldstart_parts(result), f"Setup: {setup}."])
