"""The chat benchmark's listener and sender, in its own process as bench/loadgen.py: JSON in,
JSON out.

It opens a google-cloud-firestore `on_snapshot` listener on each room's messages collection
(what the apps do with the Firebase SDK), then, paced at `rate` messages a second over the
rooms in turn, from a few sender threads:

1. the bare function and the bare SQL round trip, one request at a time (baselines);
2. `direct`: the delivery consumer's own Firestore write (FirestoreChatRooms.add_message:
   one batch creating the message and updating the room) from this process, timed to the
   listener's callback: what the emulator and the listen stream cost;
3. `http`: `POST /v1/chats/{id}/messages` as the room's buyer, timed to its 201 and to the
   listener's callback (door, outbox, Pub/Sub push, `deliver_chat_message`, emulator).
"""

# stdin: {"url", "baseline_url", "rate", "duration_s", "bare_requests",
#         "rooms": [{"room_id", "buyer_id", "vendor_id", "id_token"}]};
# stdout: {"elapsed_s", "latencies_s" (http: send → listener), "outcomes" (http),
#          "answer_s" (http: send → 201), "answer_to_listener_s" (http: 201 → listener,
#          negative when the listener was first), "direct_s", "direct_commit_s",
#          "direct_outcomes", "direct_elapsed_s", "bare_s", "bare_sql_s",
#          "missing": {phase: n}, "sent": {phase: n, warm-up included}, "listen_ready_s"}.

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlparse

import requests

TIMEOUT_S = 30
SENDERS = 4
ARRIVAL_TIMEOUT_S = 30.0
WARM_UP_ROUNDS = 1  # untimed messages per room before each paced phase


class Listeners:
    """One on_snapshot listener per room; the first moment each message id was seen."""

    def __init__(self, client, room_ids: list[str]) -> None:  # noqa: ANN001
        """Listen to every room's messages; returns once each has its first snapshot."""
        self.arrived: dict[str, float] = {}
        self.lock = threading.Condition()
        ready = {room: threading.Event() for room in room_ids}
        began = time.perf_counter()
        self.watches = [client.collection("rooms").document(room).collection("messages")
                        .on_snapshot(self._callback(ready[room])) for room in room_ids]
        for event in ready.values():
            if not event.wait(timeout=60):
                raise RuntimeError("a listener got no first snapshot in 60 s")
        self.ready_s = time.perf_counter() - began

    def _callback(self, ready: threading.Event) -> Callable:
        """The callback of one room: stamps the documents added, then marks the room ready."""
        def on_snapshot(docs, changes, read_time) -> None:  # noqa: ANN001
            now = time.perf_counter()
            with self.lock:
                for change in changes:
                    if change.type.name == "ADDED":
                        self.arrived.setdefault(change.document.id, now)
                self.lock.notify_all()
            ready.set()
        return on_snapshot

    def wait_for(self, ids: list[str], timeout_s: float = ARRIVAL_TIMEOUT_S) -> int:
        """Wait until every id has arrived; how many had not by the timeout."""
        deadline = time.monotonic() + timeout_s
        with self.lock:
            while True:
                missing = sum(1 for i in ids if i not in self.arrived)
                left = deadline - time.monotonic()
                if not missing or left <= 0:
                    return missing
                self.lock.wait(left)

    def close(self) -> None:
        """Stop listening."""
        for watch in self.watches:
            watch.unsubscribe()


def paced(pool: ThreadPoolExecutor, count: int, rate: float,
          send: Callable[[int], tuple]) -> list[tuple]:
    """send(k) for k < count, started every 1/rate s on the pool's threads (open loop)."""
    began = time.perf_counter()
    futures = []
    for k in range(count):
        delay = began + k / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(send, k))
    return [future.result() for future in futures]


def _http_sender(job: dict) -> Callable[[int], tuple]:
    """POST a message to room k mod n as its buyer: (message id, sent, answered, outcome)."""
    local = threading.local()

    def send(k: int) -> tuple:
        room = job["rooms"][k % len(job["rooms"])]
        http = getattr(local, "http", None) or requests.Session()
        local.http = http
        sent = time.perf_counter()
        try:
            answer = http.post(f"{job['url']}/v1/chats/{room['room_id']}/messages",
                               json={"text": f"Bench message {k}: is it still in stock?"},
                               headers={"Authorization": f"Bearer {room['id_token']}"},
                               timeout=TIMEOUT_S)
        except requests.RequestException as error:
            return None, sent, time.perf_counter(), type(error).__name__
        answered = time.perf_counter()
        found = answer.json().get("id") if answer.status_code == 201 else None
        return found, sent, answered, str(answer.status_code)
    return send


def _direct_sender(job: dict) -> Callable[[int], tuple]:
    """The consumer's write of a message to room k mod n, from this process."""
    from common import bootstrap
    from common.domain import chat

    adapter = bootstrap.chat_rooms()
    rooms = [(adapter.get_room(r["room_id"]), r) for r in job["rooms"]]

    def send(k: int) -> tuple:
        room, ids = rooms[k % len(rooms)]
        message = chat.text_message(room, ids["buyer_id"], f"Direct message {k}",
                                    datetime.now(timezone.utc))
        sent = time.perf_counter()
        try:
            adapter.add_message(room.id, message, (ids["vendor_id"],))
        except Exception as error:  # noqa: BLE001 - counted as an outcome, like HTTP errors
            return None, sent, time.perf_counter(), type(error).__name__
        return message.id, sent, time.perf_counter(), "written"
    return send


def _phase(listeners: Listeners, job: dict, send: Callable[[int], tuple]) -> dict:
    """One warm-up round over the rooms (untimed), then the paced messages: send → listener
    and send → answer of each, outcomes, and how many never reached the listener."""
    # One pool for both: the timed messages reuse the warm-up's threads and connections.
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        warm = paced(pool, WARM_UP_ROUNDS * len(job["rooms"]), job["rate"], send)
        listeners.wait_for([r[0] for r in warm if r[0]])
        began = time.perf_counter()
        sent = paced(pool, round(job["rate"] * job["duration_s"]), job["rate"], send)
    missing = listeners.wait_for([r[0] for r in sent if r[0]])
    elapsed = time.perf_counter() - began
    done = [r for r in sent if r[0] and r[0] in listeners.arrived]
    return {"elapsed_s": elapsed, "missing": missing,
            "sent": sum(1 for r in (*warm, *sent) if r[0]),
            "outcomes": dict(Counter(r[3] for r in sent)),
            "to_listener_s": sorted(listeners.arrived[r[0]] - r[1] for r in done),
            "to_answer_s": sorted(r[2] - r[1] for r in sent if r[0]),
            "answer_to_listener_s": sorted(listeners.arrived[r[0]] - r[2] for r in done)}


def _one_at_a_time(url: str, times: int) -> list[float]:
    """Sorted seconds of `times` GETs one after another on a keep-alive connection, after
    five untimed."""
    http, out = requests.Session(), []
    for index in range(times + 5):
        began = time.perf_counter()
        http.get(url, timeout=TIMEOUT_S).raise_for_status()
        if index >= 5:
            out.append(time.perf_counter() - began)
    return sorted(out)


def main(job: dict) -> dict:
    """The baselines, then the direct writes, then the HTTP posts, all heard by listeners."""
    for url in (job["url"], job["baseline_url"]):
        if urlparse(url).hostname != "127.0.0.1":
            raise SystemExit("the load generator only targets 127.0.0.1")
    from common import bootstrap

    listeners = Listeners(bootstrap.firestore(), [r["room_id"] for r in job["rooms"]])
    try:
        bare = _one_at_a_time(job["baseline_url"] + "/", job["bare_requests"])
        bare_sql = _one_at_a_time(job["baseline_url"] + "/?sql=1", job["bare_requests"])
        direct = _phase(listeners, job, _direct_sender(job))
        http = _phase(listeners, job, _http_sender(job))
    finally:
        listeners.close()
    return {"elapsed_s": http["elapsed_s"], "latencies_s": http["to_listener_s"],
            "outcomes": http["outcomes"], "answer_s": http["to_answer_s"],
            "answer_to_listener_s": http["answer_to_listener_s"],
            "direct_s": direct["to_listener_s"], "direct_commit_s": direct["to_answer_s"],
            "direct_outcomes": direct["outcomes"],
            "direct_elapsed_s": direct["elapsed_s"], "bare_s": bare, "bare_sql_s": bare_sql,
            "missing": {"direct": direct["missing"], "http": http["missing"]},
            "sent": {"direct": direct["sent"], "http": http["sent"]},
            "listen_ready_s": listeners.ready_s}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(json.load(sys.stdin))))
