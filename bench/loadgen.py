"""Load generator in its own process (so it does not share the server's GIL): JSON in, JSON out."""

# stdin: {"url", "scenario": "sessions"|"me"|"get", "path" (of "get"), "clients",
#         "duration_s", "max_requests", "users": [{"email", "password", "id_token"}]};
# stdout: see drive().

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlparse

import requests

TIMEOUT_S = 30


def _request(http: requests.Session, job: dict, user: dict) -> requests.Response:
    """One request of the scenario."""
    if job["scenario"] == "sessions":
        return http.post(job["url"] + "/v1/sessions", timeout=TIMEOUT_S,
                         json={"email": user["email"], "password": user["password"]})
    if job["scenario"] == "me":
        return http.get(job["url"] + "/v1/me", timeout=TIMEOUT_S,
                        headers={"Authorization": f"Bearer {user['id_token']}"})
    return http.get(job["url"] + job["path"], timeout=TIMEOUT_S)


class Budget:
    """A request count shared by all clients."""

    def __init__(self, requests_left: int) -> None:
        """Start with requests_left."""
        self.left, self.lock = requests_left, threading.Lock()

    def take(self) -> bool:
        """Take one request; False when none is left."""
        with self.lock:
            self.left -= 1
            return self.left >= 0


class Client(threading.Thread):
    """One keep-alive client: a warm-up request, then requests until the deadline."""

    ok = frozenset({"200"})  # the outcomes whose latency counts

    def __init__(self, job: dict, user: dict, start: threading.Barrier, budget: Budget) -> None:
        """A client acting as `user`, starting at the `start` barrier."""
        super().__init__(daemon=True)
        self.job, self.user, self.start_line, self.budget = job, user, start, budget
        self.latencies: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.http = requests.Session()

    def send(self) -> requests.Response:
        """One request of the scenario."""
        return _request(self.http, self.job, self.user)

    def _once(self) -> tuple[float, str]:
        """Send one request; (seconds, outcome) where outcome is the status or the error."""
        began = time.perf_counter()
        try:
            outcome = str(self.send().status_code)
        except requests.RequestException as error:
            outcome = type(error).__name__
        return time.perf_counter() - began, outcome

    def run(self) -> None:
        """Warm up, wait for the others, then send requests until the deadline or budget."""
        self._once()
        self.start_line.wait(timeout=300)
        deadline = time.monotonic() + self.job["duration_s"]
        while time.monotonic() < deadline and self.budget.take():
            seconds, outcome = self._once()
            self.outcomes[outcome] += 1
            if outcome in self.ok:
                self.latencies.append(seconds)


def drive(job: dict, client: type[Client] = Client) -> dict:
    """Run the clients; the latencies of their `ok` answers and a count of every outcome."""
    if urlparse(job["url"]).hostname != "127.0.0.1":
        raise SystemExit("the load generator only targets 127.0.0.1")
    start = threading.Barrier(job["clients"] + 1)
    budget = Budget(job["max_requests"])
    users = job["users"]
    clients = [client(job, users[i % len(users)], start, budget) for i in range(job["clients"])]
    for client in clients:
        client.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - began
    outcomes = sum((client.outcomes for client in clients), Counter())
    latencies = sorted(s for client in clients for s in client.latencies)
    return {"elapsed_s": elapsed, "latencies_s": latencies, "outcomes": dict(outcomes)}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(drive(json.load(sys.stdin))))
