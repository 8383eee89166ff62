"""The order benchmarks' load generator, in its own process as bench/loadgen.py: JSON in,
JSON out.

- `"scenario": "orders"`: bench/loadgen.py's keep-alive clients, each placing orders back to
  back (`POST /v1/orders`, a fresh Idempotency-Key each) for the product of its buyer;
  202 and 200 are answers.
- `"scenario": "flash"`: one thread per buyer, all released at once, each placing one order
  on a fresh connection and retrying a 503 with the same key after its Retry-After (as
  clients should); `"path"` instead of buyers sends each one bare GET (the baseline).
"""

# stdin: {"url", "scenario", "users": [{"id_token", "product_id"}], "body" (without the
#         product), and for "orders" what bench/loadgen.py takes; for "flash" "path"}.

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlparse

import requests

from bench.loadgen import TIMEOUT_S, Client, drive

MAX_TRIES = 30


def _order(http: requests.Session | None, job: dict, user: dict,
           key: str) -> requests.Response:
    """POST /v1/orders as `user`, one unit of its product."""
    body = {**job["body"], "items": [{"product_id": user["product_id"], "quantity": 1}]}
    headers = {"Authorization": f"Bearer {user['id_token']}", "Idempotency-Key": key}
    send = http.post if http is not None else requests.post
    return send(job["url"] + "/v1/orders", json=body, headers=headers, timeout=TIMEOUT_S)


class OrderClient(Client):
    """A keep-alive buyer placing one order after another."""

    ok = frozenset({"200", "202"})

    def send(self) -> requests.Response:
        """A new order: a fresh Idempotency-Key."""
        return _order(self.http, self.job, self.user, f"bench-{uuid.uuid4()}")


def _retry_after(response: requests.Response) -> float:
    """The Retry-After of a 503 in seconds (at least 0.2)."""
    try:
        return max(0.2, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def _buy(job: dict, user: dict) -> tuple[str, int]:
    """One buyer's order, retrying 503s with the same key; (outcome, tries)."""
    key = f"flash-{uuid.uuid4()}"
    for tries in range(1, MAX_TRIES + 1):
        try:
            answer = _order(None, job, user, key)
        except requests.RequestException as error:
            return type(error).__name__, tries
        if answer.status_code != 503:
            code = answer.json().get("code") if answer.status_code >= 400 else None
            return f"{answer.status_code} {code}" if code else str(answer.status_code), tries
        time.sleep(_retry_after(answer))
    return "503", MAX_TRIES


def _bare(job: dict) -> tuple[str, int]:
    """One bare GET on a fresh connection."""
    try:
        return str(requests.get(job["url"] + job["path"], timeout=TIMEOUT_S).status_code), 1
    except requests.RequestException as error:
        return type(error).__name__, 1


def flash(job: dict) -> dict:
    """Every buyer at once; per buyer its outcome, tries and seconds to its final answer."""
    users = job["users"] if "path" not in job else [{}] * job["clients"]
    start = threading.Barrier(len(users) + 1)
    results: list[tuple[str, int, float]] = [("", 0, 0.0)] * len(users)

    def buyer(index: int) -> None:
        start.wait(timeout=300)
        began = time.perf_counter()
        outcome, tries = _bare(job) if "path" in job else _buy(job, users[index])
        results[index] = (outcome, tries, time.perf_counter() - began)

    threads = [threading.Thread(target=buyer, args=(i,), daemon=True) for i in range(len(users))]
    for thread in threads:
        thread.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"elapsed_s": elapsed, "latencies_s": sorted(r[2] for r in results),
            "outcomes": dict(Counter(r[0] for r in results)),
            "tries": dict(Counter(str(r[1]) for r in results))}


def main(job: dict) -> dict:
    """Run the scenario of `job`."""
    if urlparse(job["url"]).hostname != "127.0.0.1":
        raise SystemExit("the load generator only targets 127.0.0.1")
    if job["scenario"] == "flash":
        return flash(job)
    return drive(job, OrderClient)


if __name__ == "__main__":
    threading.stack_size(512 * 1024)  # a thousand buyers' threads
    sys.stdout.write(json.dumps(main(json.load(sys.stdin))))
