"""What the Workflows stand-in adds per workflow step, against a bare HTTP round trip.

The stand-in (devstack/workflows) runs the sagas in tests and in `nox -s dev`. Each workflow
is deployed into a running stand-in (its own process and virtual environment, as the stack
starts it) and executed through the official `ExecutionsClient` on a plaintext channel, as
the production adapter does. Per-step figures come from the execution's own `duration`
(the stand-in's clock, so polling does not count), divided by its number of steps:
- `assign`: a workflow of N `assign` steps, each an expression (`${i + 1}`): the interpreter
  alone;
- `http.get`: N `http.get` steps to a local stdlib server answering a small JSON body: the
  interpreter plus an HTTP call, beside the bare round trip to that same server from this
  process (`urllib`, one call at a time);
- one execution, end to end: CreateExecution of a one-step workflow until GetExecution says
  SUCCEEDED (the client polls every millisecond), the cost a saga pays to start.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.report import table

HOST = "127.0.0.1"
PROJECT, LOCATION = "demo-bazaar", "europe-west1"


@dataclass
class StepCosts:
    """Seconds per step of each kind, the bare round trip, and whole executions."""

    per_step: dict[str, list[float]]
    bare_http: list[float]
    execution: list[float]
    steps: int


class _Json(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave in two writes
    payload = json.dumps({"ok": True}).encode()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Log nothing."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)


def _loop(steps: int, body: str) -> str:
    """A workflow running `body` (one step's YAML, indented) `steps` times in a for loop."""
    return (f"main:\n  steps:\n    - init:\n        assign:\n          - n: 0\n"
            f"    - repeat:\n        for:\n          value: i\n          range: [1, {steps}]\n"
            f"          steps:\n{body}"
            f"    - done:\n        return: ${{n}}\n")


ASSIGN = "            - add:\n                assign:\n                  - n: ${n + 1}\n"
HTTP_GET = ("            - call:\n                call: http.get\n                args:\n"
            "                  url: URL\n                result: r\n"
            "            - count:\n                assign:\n                  - n: ${n + 1}\n")


def _run_one(client: Any, parent: str) -> tuple[float, Any]:
    """Wall seconds from CreateExecution to a finished GetExecution, and the execution."""
    from google.cloud.workflows.executions_v1 import types

    began = time.perf_counter()
    execution = client.create_execution(parent=parent, execution=types.Execution(argument="{}"))
    while execution.state == types.Execution.State.ACTIVE:
        time.sleep(0.001)
        execution = client.get_execution(name=execution.name)
    wall = time.perf_counter() - began
    if execution.state != types.Execution.State.SUCCEEDED:
        raise RuntimeError(f"{parent}: {execution.state.name} {execution.error.payload}")
    return wall, execution


def _per_step(client: Any, parent: str, steps: int, runs: int) -> list[float]:
    """Seconds per loop iteration, from each execution's own duration."""
    return [_run_one(client, parent)[1].duration.total_seconds() / steps for _ in range(runs)]


def _bare(url: str, times: int) -> list[float]:
    """Seconds per urllib GET of the same server, one at a time."""
    out = []
    for _ in range(times):
        began = time.perf_counter()
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
        out.append(time.perf_counter() - began)
    return out


def run(quick: bool = False, say: Callable[[str], None] = print) -> StepCosts:
    """Deploy the three workflows into a fresh stand-in and time them."""
    import grpc
    from google.cloud.workflows.executions_v1 import ExecutionsClient
    from google.cloud.workflows.executions_v1.services.executions.transports import (
        ExecutionsGrpcTransport,
    )

    from devstack.workflows import start_workflows

    steps, runs = (100, 3) if quick else (400, 7)
    server = ThreadingHTTPServer((HOST, 0), _Json)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://{HOST}:{server.server_address[1]}/ok"
    with tempfile.TemporaryDirectory() as local:
        stand_in = start_workflows(Path(local), project_id=PROJECT, location=LOCATION,
                                   workflows_dirs=[], pubsub_host=None)
        try:
            parents = {name: stand_in.deploy(f"bench-{name}", source) and
                       f"projects/{PROJECT}/locations/{LOCATION}/workflows/bench-{name}"
                       for name, source in (
                           ("assign", _loop(steps, ASSIGN)),
                           ("http", _loop(steps, HTTP_GET.replace("URL", url))),
                           ("one", "main:\n  steps:\n    - done:\n        return: 1\n"))}
            client = ExecutionsClient(transport=ExecutionsGrpcTransport(
                channel=grpc.insecure_channel(stand_in.host)))
            for parent in parents.values():
                _run_one(client, parent)  # warm-up
            result = StepCosts(
                per_step={"assign": _per_step(client, parents["assign"], steps, runs),
                          "http.get + assign": _per_step(client, parents["http"], steps, runs)},
                bare_http=_bare(url, steps),
                execution=[_run_one(client, parents["one"])[0] for _ in range(runs * 10)],
                steps=steps)
            say(f"  {steps} steps × {runs} executions each")
            return result
        finally:
            stand_in.stop()
            server.shutdown()
            server.server_close()


def section(result: StepCosts, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    bare = statistics.median(result.bare_http)
    rows = [["bare HTTP round trip (urllib → stdlib server)", f"{bare * 1e6:.0f}", "1.00×"]]
    for name, values in result.per_step.items():
        median = statistics.median(values)
        rows.append([f"one loop iteration: {name}", f"{median * 1e6:.1f}",
                     f"{median / bare:.2f}×"])
    execution = statistics.median(result.execution)
    rows.append(["one execution, create → SUCCEEDED (one step)", f"{execution * 1e6:.0f}",
                 f"{execution / bare:.2f}×"])
    return "\n\n".join([
        "## Workflows stand-in overhead per step", f"Measured {where}.",
        (__doc__ or "").split("\n\n", 1)[1].strip(),
        f"Loops of {result.steps} iterations; medians over the executions.",
        table(["what", "median µs", "× bare round trip"], rows),
    ])
