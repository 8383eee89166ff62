"""Cold start of every function: fresh processes, first response, and the modules they load."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.cases import COLD_ENV, UUID, Request, _envelope, _post, probes
from devstack import manifest

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "bench" / "coldchild.py"
MARKER = "BENCH-RESULT "
KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "IMAGE_MODEL_PATH",
            "XDG_CACHE_HOME")
# The client libraries of each dependency group of pyproject.toml ("core" is in every function).
LIBRARIES = {
    "core": ("functions_framework", "flask", "pydantic"),
    "database": ("sqlalchemy", "pg8000"),
    "auth": ("firebase_admin.auth", "requests"),
    "auth_admin": ("firebase_admin.auth", "requests"),  # bazaar[auth], other IAM
    "auth_client": ("firebase_admin.auth", "requests"),  # bazaar[auth], other IAM
    "pubsub": ("google.cloud.pubsub_v1",),
    "docs": ("swagger_ui_bundle",),
    "mail": ("smtplib", "email.message"),
    "storage": ("google.cloud.storage",),
    "upload_urls": ("google.cloud.storage",),  # bazaar[storage], other IAM
    "imaging": ("PIL.Image", "numpy", "onnxruntime"),
    "vision": ("google.cloud.vision",),
    "payments": ("stripe",),
    "payments_webhook": ("stripe",),  # bazaar[payments], other IAM
    "workflows": ("google.cloud.workflows.executions_v1",),
}
# Modules worth paying attention to: expensive to import, or a sign that a client library came in.
HEAVY = ("sqlalchemy", "pg8000", "google.cloud.sql.connector", "firebase_admin", "google.auth",
         "requests", "httpx", "cryptography", "google.cloud.pubsub_v1", "grpc",
         "google.api_core", "google.protobuf", "google.cloud.storage", "swagger_ui_bundle",
         "alembic", "yaml", "PIL", "numpy", "onnxruntime", "google.cloud.vision", "stripe",
         "google.cloud.workflows")


@dataclass
class Sample:
    """One process: seconds from spawn to first response, its status, and its modules."""

    seconds: float
    status: int
    modules: frozenset[str]
    phases: dict[str, float]
    stderr: str = ""


@dataclass
class Case:
    """Repeated samples of one kind of process."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(s.seconds for s in self.samples)

    @property
    def minimum(self) -> float:
        """Fastest seconds."""
        return min(s.seconds for s in self.samples)

    @property
    def statuses(self) -> list[int]:
        """The distinct HTTP statuses answered."""
        return sorted({s.status for s in self.samples})

    def phase(self, name: str) -> float:
        """The median of one phase (interpreter, framework, main, request)."""
        return statistics.median(s.phases.get(name, 0.0) for s in self.samples)

    @property
    def heavy(self) -> list[str]:
        """HEAVY modules loaded by the last process."""
        return heavy_modules(self.samples[-1].modules) if self.samples else []


def heavy_modules(modules: frozenset[str]) -> list[str]:
    """The HEAVY modules present in a process."""
    return [name for name in HEAVY if name in modules]


def child_env() -> dict[str, str]:
    """Settings load, nothing connects: no database socket, emulators on a closed port."""
    base = {name: os.environ[name] for name in KEEP_ENV if name in os.environ}
    return {**base, **COLD_ENV, "PYTHONPATH": str(ROOT)}


def spawn(mode: str, spec: dict, *, importtime: bool = False) -> Sample:
    """Start one fresh interpreter; time from spawn to its first response (or exit, for pass)."""
    if mode == "pass":
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], env=child_env(), cwd=ROOT, check=True)
        return Sample(time.monotonic() - began, 0, frozenset(), {})
    flags = ["-X", "importtime"] if importtime else []
    command = [sys.executable, *flags, str(CHILD), mode, json.dumps(spec)]
    began = time.monotonic()
    done = subprocess.run(command, env=child_env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    line = next((line for line in done.stdout.splitlines() if line.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"{mode} {spec.get('name', '')} failed:\n{done.stderr[-2000:]}")
    report = json.loads(line[len(MARKER):])
    return Sample(report["marks"]["done"] - began, report["status"],
                  frozenset(report["modules"]), phases(began, report["marks"]), done.stderr)


def phases(began: float, marks: dict[str, float]) -> dict[str, float]:
    """Seconds spent starting the interpreter, importing the framework, main.py, and serving."""
    order = [("interpreter", "started"), ("framework", "framework"), ("main", "main"),
             ("request", "done")]
    result, last = {}, began
    for name, mark in order:
        if mark in marks:
            result[name], last = marks[mark] - last, marks[mark]
    return result


def import_costs(stderr: str) -> dict[str, float]:
    """Cumulative import time (ms) of each HEAVY module, from `python -X importtime` output."""
    costs = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if name in HEAVY and cumulative.isdigit():
            costs[name] = int(cumulative) / 1000
    return costs


@dataclass
class FunctionResult:
    """Cold starts of one function, with its dependency groups and what it imported."""

    name: str
    trigger: str
    uses: tuple[str, ...]
    labels: tuple[str, str]
    first: Case
    deep: Case
    allowed: list[str]
    import_ms: dict[str, float] = field(default_factory=dict)

    @property
    def unexpected(self) -> list[str]:
        """HEAVY modules loaded that the libraries of its `uses:` groups do not load."""
        loaded = set(self.first.heavy) | set(self.deep.heavy)
        return [name for name in HEAVY if name in loaded and name not in self.allowed]


@dataclass
class ColdStart:
    """Everything the cold-start benchmark measured."""

    runs: int
    bare: Case
    libraries: dict[tuple[str, ...], Case]
    functions: list[FunctionResult]
    skipped: list[str] = field(default_factory=list)  # no probe in bench/cases.py


def library_spec(uses: tuple[str, ...]) -> dict:
    """What a process importing only the client libraries of `uses` (and core) imports."""
    groups = ("core", *uses)
    return {"modules": [m for group in groups for m in LIBRARIES.get(group, ())]}


def _image_probes() -> dict[str, tuple[Request, Request]]:
    """The image functions (until bench/cases.py has them): the search builds the recognizer
    (loads the model) before decoding, so an upload that is no image gets that far, no I/O."""
    path, boundary = "/v1/products:searchByImage", "bench-boundary"
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\nnot an image\r\n'
            f"--{boundary}--\r\n")
    finalized = json.loads(_envelope(""))
    finalized["message"]["attributes"] = {
        "bucketId": "bazaar-uploads", "objectId": f"products/{UUID}/{UUID}",
        "eventType": "OBJECT_FINALIZE", "objectGeneration": "1"}
    return {
        "search_products_by_image": (
            _post(path, {}, "with a JSON body, not multipart"),
            Request("POST", path, part,
                    (("Content-Type", f"multipart/form-data; boundary={boundary}"),),
                    "with a multipart `image` that is no image (fails at decode)")),
        "index_product_image": (
            _post("/", _envelope("e30="), "push envelope without object attributes"),
            _post("/", finalized, "push envelope, object finalized (fails at DB)")),
    }


def _probed(only: tuple[str, ...] | None) -> tuple[list, dict[str, tuple[Request, Request]]]:
    """The functions to measure (those in `only`, all without it) that have a probe."""
    requests = {**_image_probes(), **probes()}
    return [f for f in manifest.functions().values()
            if f.name in requests and (only is None or f.name in only)], requests


def _jobs(only: tuple[str, ...] | None = None) -> list[tuple[object, str, dict]]:
    """(key, mode, spec) of every kind of process, in the order a round runs them."""
    jobs: list[tuple[object, str, dict]] = [("bare", "pass", {})]
    functions, requests = _probed(only)
    for uses in sorted({(), *(f.uses for f in functions)}):
        jobs.append((uses, "libraries", library_spec(uses)))
    for function in functions:
        base = {"name": function.name, "source": str(function.source),
                "signature": function.signature_type}
        first, deep = requests[function.name]
        jobs.append(((function.name, 0), "function", {**base, **first.spec()}))
        jobs.append(((function.name, 1), "function", {**base, **deep.spec()}))
    return jobs


def measure(jobs: list, runs: int, say=print) -> dict[object, Case]:  # noqa: ANN001
    """One untimed warm-up of each job (bytecode caches, page cache), then `runs` rounds."""
    cases = {key: Case() for key, _, _ in jobs}
    for _, mode, spec in jobs:
        spawn(mode, spec)
    for round_no in range(runs):
        say(f"  cold start round {round_no + 1}/{runs} ({len(jobs)} processes)")
        for key, mode, spec in jobs:
            cases[key].samples.append(spawn(mode, spec))
    return cases


def import_profiles(jobs: list) -> dict[str, dict[str, float]]:
    """Per function, the import cost of each HEAVY module on its deeper request."""
    return {key[0]: import_costs(spawn(mode, spec, importtime=True).stderr)
            for key, mode, spec in jobs if isinstance(key, tuple) and key[1:] == (1,)}


def run(runs: int = 5, say=print, only: tuple[str, ...] | None = None) -> ColdStart:  # noqa: ANN001
    """Measure every function (or those in `only`); compare with a bare interpreter and its
    libraries alone."""
    jobs = _jobs(only)
    cases = measure(jobs, runs, say)
    costs = import_profiles(jobs)
    functions, requests = _probed(only)
    results = []
    for function in functions:
        first, deep = cases[(function.name, 0)], cases[(function.name, 1)]
        labels = tuple(r.describe() for r in requests[function.name])
        results.append(FunctionResult(
            function.name, function.trigger, function.uses, labels, first, deep,
            allowed=cases[function.uses].heavy,
            import_ms=costs[function.name]))
    libraries = {key: case for key, case in cases.items()
                 if isinstance(key, tuple) and all(isinstance(k, str) for k in key)}
    skipped = [name for name in manifest.functions() if (only is None or name in only)
               and name not in requests]
    return ColdStart(runs, cases["bare"], libraries, results, skipped)
