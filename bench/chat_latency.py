"""Chat message latency from the sender's `POST /v1/chats/{id}/messages` to a Firestore
listener's callback, over 20 listening rooms on the stack's Firestore emulator, beside the
bare request, the bare SQL round trip and a direct Firestore write to the same listeners."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bench import order_shop, serving
from bench.report import fine_ms, table
from bench.serving import Scenario

LABEL = "POST /v1/chats/{id}/messages → listener"
STOCK = 1_000
RATE = 5.0  # messages a second over all rooms: 15 a minute per buyer, half its rate limit
ROOM_TIMEOUT_S = 60.0


@dataclass
class ChatLatency:
    """Everything the chat benchmark measured (seconds)."""

    rooms: int
    rate: float
    duration_s: float
    scenario: Scenario  # the HTTP posts; extra holds the load generator's other figures
    stored: tuple[int, int]  # (messages found in the rooms, messages expected)
    setup_s: dict[str, float]
    server: str


def _buyer(base_url: str, user: dict, product_id: str, vendor_id: str) -> dict:
    """The buyer's id, its paid order of the product, and the room that order opens."""
    from common.domain.chat import room_id

    auth = {"Authorization": f"Bearer {user['id_token']}"}
    me = requests.get(base_url + "/v1/me", headers=auth, timeout=30)
    me.raise_for_status()
    answer = requests.post(base_url + "/v1/orders", json=order_shop.order_body(product_id),
                           headers={**auth, "Idempotency-Key": user["email"]}, timeout=60)
    answer.raise_for_status()
    buyer_id = me.json()["id"]
    return {"room_id": room_id(buyer_id, vendor_id), "buyer_id": buyer_id,
            "vendor_id": vendor_id, "id_token": user["id_token"]}


def _wait_for_rooms(room_ids: list[str]) -> None:
    """Until every room exists with its first (system) message."""
    from common import bootstrap

    rooms, deadline = bootstrap.chat_rooms(), time.monotonic() + ROOM_TIMEOUT_S
    while True:
        opened = [rooms.get_room(room) for room in room_ids]
        if all(room is not None and room.last_message is not None for room in opened):
            return
        if time.monotonic() > deadline:
            raise RuntimeError("the rooms did not open on order.paid in time")
        time.sleep(0.2)


def _rooms(stack, count: int, say: Callable[[str], None]) -> list[dict]:  # noqa: ANN001
    """One vendor, `count` buyers who each paid for one order of its product: their rooms."""
    (product,) = order_shop.open_shop(1, STOCK)
    vendor = str(order_shop.scalar("SELECT vendor_id FROM products WHERE id = :p", p=product))
    say(f"  creating {count} signed-in buyers; each pays an order, which opens a room")
    users = order_shop.buyers(stack, count, [product])
    with ThreadPoolExecutor(max_workers=4) as pool:
        rooms = list(pool.map(lambda u: _buyer(stack.base_url, u, product, vendor), users))
    order_shop.wait_until_settled(stack)
    _wait_for_rooms([room["room_id"] for room in rooms])
    return rooms


def _stored(rooms: list[dict]) -> int:
    """Messages in the rooms now, system messages included."""
    from common import bootstrap

    client = bootstrap.firestore()
    return sum(len(list(client.collection("rooms").document(r["room_id"])
                        .collection("messages").select([]).stream())) for r in rooms)


def run(rooms: int = 20, duration_s: float = 30.0, rate: float = RATE,
        say: Callable[[str], None] = print) -> ChatLatency:
    """Start the stack, open the rooms, then listen, write and post (bench/chat_loadgen.py)."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        began = time.perf_counter()
        opened = _rooms(stack, rooms, say)
        setup["shop, buyers, paid orders and their rooms"] = time.perf_counter() - began
        say(f"  {rooms} listeners; direct writes, then posts: {rate:g}/s for {duration_s:g} s")
        scenario = serving.drive(stack.services["http"], {
            "rooms": opened, "rate": rate, "duration_s": duration_s, "clients": rooms,
            "bare_requests": 200, "ok": ["201"],
            "baseline_url": serving.url(stack.services["baseline"])},
            "chat", LABEL, module="bench.chat_loadgen")
        stack.services["pubsub"].wait_until_idle(timeout=60)
        expected = sum(scenario.extra["sent"].values()) + rooms  # + the system messages
        return ChatLatency(rooms, rate, duration_s, scenario, (_stored(opened), expected),
                           setup, serving.describe(stack.services["http"]))


def _at(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    return samples[min(len(samples) - 1, max(0, round(p / 100 * len(samples) + 0.5) - 1))]


def _rows(result: ChatLatency) -> list[list[str]]:
    """n, p50, p95, p99, max of each measurement, p50 and p99 also ÷ the bare request's."""
    extra = result.scenario.extra
    measured = [("bare function: GET / (one at a time)", extra["bare_s"]),
                ("bare SQL round trip: GET /?sql=1 (one at a time)", extra["bare_sql_s"]),
                ("direct Firestore write (the consumer's batch) → committed",
                 extra["direct_commit_s"]),
                ("direct Firestore write (the consumer's batch) → listener", extra["direct_s"]),
                ("`POST /v1/chats/{id}/messages` → 201", extra["answer_s"]),
                (f"**`{LABEL}`**", result.scenario.latencies_s)]
    bare = extra["bare_s"]
    return [[label, str(len(s)), fine_ms(_at(s, 50)), f"{_at(s, 50) / _at(bare, 50):.1f}×",
             fine_ms(_at(s, 95)), fine_ms(_at(s, 99)), f"{_at(s, 99) / _at(bare, 99):.1f}×",
             fine_ms(s[-1])] for label, s in measured if s]


METHOD = """The whole local stack under gunicorn ({server}), with the baselines beside it
(bench/serving.py), and Google's Firestore emulator of the stack. A verified vendor lists a
product; {rooms} verified customers are created and signed in, and each pays one card
order of it, so `open_chat_room` (on `order.paid`) opens {rooms} rooms with their system
message. A separate process (bench/chat_loadgen.py) then opens a google-cloud-firestore
`on_snapshot` listener on each room's `messages` collection, the way the apps listen with
the Firebase SDK, and sends, open loop at {rate:g} messages a second over the rooms in
turn (from 4 threads, keep-alive connections), first for {duration:g} s **direct Firestore
writes** (`FirestoreChatRooms.add_message`, the very batch `deliver_chat_message` commits:
create the message, update the room's summary and unread counter), then for {duration:g} s
**`POST /v1/chats/{{id}}/messages`** as the room's buyer (the door checks membership in
Firestore, takes the rate limit and records `chat.message_posted` in the outbox; Pub/Sub
pushes it to `deliver_chat_message`, which writes the batch). Each phase starts with one
untimed message per room. The time runs from just before the write or the request to the
listener's callback that first shows the message (the same process's monotonic clock). The
baselines, {bare} requests one at a time on a keep-alive connection before the messages;
**÷ bare** divides by the bare request's figure of the same run."""


def section(result: ChatLatency, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    extra, s = result.scenario.extra, result.scenario
    direct, http = extra["direct_s"], s.latencies_s
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(s.outcomes.items()))
    after = extra["answer_to_listener_s"]
    found, expected = result.stored
    return "\n\n".join([
        "## Chat: message post to listener", f"Measured {where}.",
        METHOD.format(server=result.server, rooms=result.rooms, rate=result.rate,
                      duration=result.duration_s, bare=len(extra["bare_s"])),
        "### Results (ms)",
        table(["measurement", "n", "p50", "÷ bare", "p95", "p99", "÷ bare", "max"],
              _rows(result)),
        f"Post → listener ÷ direct write → listener: p50 {_at(http, 50) / _at(direct, 50):.1f}×,"
        f" p99 {_at(http, 99) / _at(direct, 99):.1f}×. From the 201 to the listener: p50 "
        f"{fine_ms(_at(after, 50))} ms, p99 {fine_ms(_at(after, 99))} ms; the listener had "
        f"the message before the sender had its 201 for {sum(1 for a in after if a < 0)} of "
        f"{len(after)} (it can: the door publishes the event before it answers). Posts "
        f"answered: {outcomes}; "
        "messages "
        f"that never reached a listener within 30 s: {extra['missing']['http']} posted, "
        f"{extra['missing']['direct']} written directly. Afterwards the rooms held {found} "
        f"messages for {expected} sent (system messages included): "
        + ("each exactly once." if found == expected else "**not** each exactly once."),
        f"Setup: {setup}; the {result.rooms} listeners had their first snapshots "
        f"{extra['listen_ready_s']:.1f} s after they were opened.",
        "Warnings and errors the server logged meanwhile:\n\n" + "\n".join(
            f"- {count} × `{message}`"
            for message, count in sorted(s.server_log.items(), key=lambda i: -i[1]))
        if s.server_log else "Warnings and errors the server logged meanwhile: none.",
    ])
