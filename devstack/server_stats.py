"""What a benchmark reads from inside the gunicorn workers (`BAZAAR_SERVER_STATS=1`).

Each worker keeps, per measurement window: the most database connections its pools had
checked out at once and its warnings and errors counted by message template (each shown
once); and for good: the seconds of each Pub/Sub push its functions handled, by function,
eventType and objectId. Every 50 ms it writes them to `<folder>/worker-<pid>.json`. The
benchmark opens a window by writing its name to `<folder>/window` (`ServerStats.window`).
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

POLL_S = 0.05
WINDOW_TIMEOUT_S = 10.0


class _WorkerStats(logging.Filter):
    """The counters of one worker, written to its file by a daemon thread."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder, self.lock = folder, threading.Lock()
        self.window: str | None = None
        self.in_use = self.max_in_use = 0
        self.log: Counter[str] = Counter()
        self.calls: dict[str, float] = {}

    def checkout(self, *_: object) -> None:
        with self.lock:
            self.in_use += 1
            self.max_in_use = max(self.max_in_use, self.in_use)

    def checkin(self, *_: object) -> None:
        with self.lock:
            self.in_use -= 1

    def filter(self, record: logging.LogRecord) -> bool:
        """Count warnings and errors; pass a message only the first time in a window."""
        if record.levelno < logging.WARNING:
            return True
        key = f"{record.levelname} {record.name}: {record.msg}"
        with self.lock:
            self.log[key] += 1
            return self.log[key] == 1

    def timed(self, name: str, app: Any) -> Any:
        """app, recording the seconds of each push by (eventType, objectId) attributes."""

        def wrapper(environ: dict, start_response: Any) -> Any:
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            began = time.perf_counter()
            try:
                return app(environ, start_response)
            finally:
                try:
                    attributes = json.loads(body)["message"].get("attributes", {})
                except (ValueError, KeyError, TypeError, AttributeError):
                    attributes = {}
                key = f"{name} {attributes.get('eventType')} {attributes.get('objectId')}"
                with self.lock:
                    self.calls[key] = time.perf_counter() - began

        return wrapper

    def run(self) -> None:
        """Follow the window the benchmark names; write the counters every POLL_S."""
        mine, window_file = self.folder / f"worker-{os.getpid()}.json", self.folder / "window"
        while True:
            window = window_file.read_text() if window_file.exists() else None
            with self.lock:
                if window != self.window:
                    self.window, self.max_in_use, self.log = window, self.in_use, Counter()
                state = {"window": self.window, "written_at": time.time(),
                         "max_in_use": self.max_in_use, "log": dict(self.log),
                         "calls": dict(self.calls)}
            temporary = mine.with_suffix(".tmp")
            temporary.write_text(json.dumps(state))
            os.replace(temporary, mine)
            time.sleep(POLL_S)


def install(app: Any, folder: Path) -> None:
    """Count this worker's pool, log and Pub/Sub pushes (of the router's functions)."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    from common import bootstrap
    from devstack import manifest

    folder.mkdir(parents=True, exist_ok=True)
    stats = _WorkerStats(folder)
    bootstrap.settings()  # configures the logging; connects nothing
    # Every pool of the worker: locally each function has an engine per database role.
    event.listen(Pool, "checkout", stats.checkout)
    event.listen(Pool, "checkin", stats.checkin)
    for handler in logging.getLogger().handlers:
        handler.addFilter(stats)
    for name, function in manifest.functions().items():
        if function.trigger == "pubsub" and name in getattr(app, "apps", {}):
            app.apps[name] = stats.timed(name, app.apps[name])
    threading.Thread(target=stats.run, daemon=True, name="bazaar-server-stats").start()


class ServerStats:
    """The benchmark's side: open a window, read what every worker counted in it."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder, self.workers = Path(folder), workers

    def _read(self) -> list[dict]:
        found = []
        for path in self.folder.glob("worker-*.json"):
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):  # replaced meanwhile: read it next time
                pass
        return found

    def _wait(self, ready: Any) -> list[dict]:
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while time.monotonic() < deadline:
            states = self._read()
            if len(states) >= self.workers and all(ready(s) for s in states):
                return states
            time.sleep(POLL_S / 2)
        raise TimeoutError(f"the server's workers did not report to {self.folder}")

    @contextmanager
    def window(self, name: str) -> Iterator[dict[str, Any]]:
        """Within the block, a new window; afterwards the dict holds its counters:
        `max_in_use` (per worker, sorted), `log` (summed over workers)."""
        window, seen = f"{name} {time.time_ns()}", {}
        (self.folder / "window").write_text(window)
        self._wait(lambda s: s["window"] == window)
        yield seen
        ended = time.time()
        states = self._wait(lambda s: s["window"] == window and s["written_at"] > ended)
        log: Counter[str] = Counter()
        for state in states:
            log.update(state["log"])
        seen.update(max_in_use=sorted(s["max_in_use"] for s in states), log=dict(log))

    def calls(self) -> dict[str, float]:
        """Seconds of every Pub/Sub push handled so far, by 'function eventType objectId'."""
        return {key: s for calls in self.calls_by_worker() for key, s in calls.items()}

    def calls_by_worker(self) -> list[dict[str, float]]:
        """calls(), one dict per worker."""
        return [state["calls"] for state in self._read()]
