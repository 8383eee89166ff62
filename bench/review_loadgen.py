"""The review benchmark's load generator, in its own process as bench/loadgen.py: JSON in,
JSON out.

- `"scenario": "post"`: one keep-alive client per buyer, warmed up with an untimed review
  of a product it did not buy (403 `not_a_buyer`: the function's whole path but the
  writes), then all released at once, each posting one review of its product
  (`POST /v1/products/{id}/reviews`); 201 is the answer.
- `"scenario": "edit"`: bench/loadgen.py's keep-alive clients, each changing its own
  review's rating back to back (`PATCH /v1/products/{id}/reviews/{review_id}`, a rating other
  than the one it has, so every edit moves the summary by −1 and +1); 200 is the answer.
"""

# stdin: {"url", "scenario", "users": [{"id_token", "product_id", "post_rating" and
#         "not_bought" (post), "review_id" and "rating" (edit: the review's rating now)}],
#         and for "edit" what bench/loadgen.py takes}; stdout: bench/loadgen.py's drive()
#         output, and for "post" "reviews" (id, rating of each buyer's, in order) and
#         "warm_up" (the warm-up requests' outcomes).

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlparse

import requests

from bench.loadgen import TIMEOUT_S, Budget, Client, drive

TITLE = "Bench review"
TEXT = "Bought it for the benchmark; it does what it says."


def next_rating(rating: int) -> int:
    """The rating after `rating`, never the same one (1 → 2 → … → 5 → 1)."""
    return rating % 5 + 1


class EditClient(Client):
    """A keep-alive author changing its review's rating, one edit after another."""

    def __init__(self, job: dict, user: dict, start: threading.Barrier, budget: Budget) -> None:
        """An author starting from its review's rating."""
        super().__init__(job, user, start, budget)
        self.rating = int(user["rating"])

    def send(self) -> requests.Response:
        """The next rating; the client's idea of the rating moves only on a 200."""
        rating = next_rating(self.rating)
        path = f"/v1/products/{self.user['product_id']}/reviews/{self.user['review_id']}"
        answer = self.http.patch(self.job["url"] + path, json={"rating": rating},
                                 headers={"Authorization": f"Bearer {self.user['id_token']}"},
                                 timeout=TIMEOUT_S)
        if answer.status_code == 200:
            self.rating = rating
        return answer


def _post_one(http: requests.Session, job: dict, user: dict,
              product_id: str) -> tuple[str, float, dict]:
    """One review of the product: (outcome, seconds, the body of a 201)."""
    began = time.perf_counter()
    try:
        answer = http.post(f"{job['url']}/v1/products/{product_id}/reviews",
                           json={"rating": user["post_rating"], "title": TITLE, "text": TEXT},
                           headers={"Authorization": f"Bearer {user['id_token']}"},
                           timeout=TIMEOUT_S)
    except requests.RequestException as error:
        return type(error).__name__, time.perf_counter() - began, {}
    seconds = time.perf_counter() - began
    if answer.status_code != 201:
        code = answer.json().get("code") if answer.status_code >= 400 else None
        return f"{answer.status_code} {code}" if code else str(answer.status_code), seconds, {}
    return "201", seconds, answer.json()


def post_all(job: dict) -> dict:
    """Every buyer posts at once; latencies of the 201s, every outcome, the reviews made."""
    users = job["users"]
    start = threading.Barrier(len(users) + 1)
    results: list[tuple[str, float, dict]] = [("", 0.0, {})] * len(users)
    warm_up: list[str] = [""] * len(users)

    def buyer(index: int) -> None:
        http, user = requests.Session(), users[index]
        warm_up[index] = _post_one(http, job, user, user["not_bought"])[0]
        start.wait(timeout=300)
        results[index] = _post_one(http, job, user, user["product_id"])

    threads = [threading.Thread(target=buyer, args=(i,), daemon=True) for i in range(len(users))]
    for thread in threads:
        thread.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"elapsed_s": time.perf_counter() - began,
            "latencies_s": sorted(r[1] for r in results if r[0] == "201"),
            "outcomes": dict(Counter(r[0] for r in results)),
            "warm_up": dict(Counter(warm_up)),
            "reviews": [{"id": r[2].get("id"), "rating": r[2].get("rating")} for r in results]}


def main(job: dict) -> dict:
    """Run the scenario of `job`."""
    if urlparse(job["url"]).hostname != "127.0.0.1":
        raise SystemExit("the load generator only targets 127.0.0.1")
    if job["scenario"] == "post":
        return post_all(job)
    return drive(job, EditClient)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(json.load(sys.stdin))))
