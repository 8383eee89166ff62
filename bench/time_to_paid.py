"""From `POST /v1/orders` to `paid` for a card payment, one order at a time, split into its
steps from the database's own timestamps (order_steps, payment_events, provider_events),
beside a bare request and a bare SQL round trip of the same run."""

from __future__ import annotations

import statistics
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import requests

from bench import order_shop, serving
from bench.report import fine_ms, table

THREE_DS = "pm_card_threeDSecure2Required"
TIMELINE = """
SELECT 'step:' || step, extract(epoch FROM at)::float8 FROM order_steps WHERE order_id = :id
UNION ALL
SELECT 'payment:' || e.kind, extract(epoch FROM e.occurred_at)::float8 FROM payment_events e
  JOIN payments p ON p.id = e.payment_id WHERE p.order_id = :id
UNION ALL
SELECT 'webhook:' || type, extract(epoch FROM received_at)::float8 FROM provider_events
  WHERE order_id = CAST(:id AS text)
UNION ALL
SELECT 'handed_off:' || type, extract(epoch FROM processed_at)::float8 FROM provider_events
  WHERE order_id = CAST(:id AS text) AND processed_at IS NOT NULL"""
SUCCEEDED = "payment.succeeded"
# (label, from mark, to mark, on the way to `paid`); marks are TIMELINE's names, or the
# client's: "post" (just before the request), "answer" (its response), "act" (the buyer's
# 3-D Secure approval sent); "confirmed" is derived (_marks).
VISA_SPANS = (
    ("request in → reservation's transaction begins (HTTP, token, account)",
     "post", "step:placed", True),
    ("reservation committed, PaymentIntent created and confirmed at the twin, recorded",
     "step:placed", "confirmed", True),
    ("saga started (Executions API), callback endpoint, `attach_payment_callback` "
     "(reads `succeeded`)", "confirmed", "step:awaiting_payment", True),
    ("`complete_order` called, its update begins", "step:awaiting_payment", "step:paid", True),
    ("the door records the execution and answers 202", "confirmed", "answer", False),
    ("webhook delivered to the door (twin → inbox), from the reservation", "step:placed",
     f"webhook:{SUCCEEDED}", False),
    ("webhook handed off (payment updated; no saga waits)", f"webhook:{SUCCEEDED}",
     f"handed_off:{SUCCEEDED}", False),
)
THREE_DS_SPANS = (
    ("buyer approves → webhook delivered to the door", "act", f"webhook:{SUCCEEDED}", True),
    ("hand-off: payment updated, the saga woken through its callback",
     f"webhook:{SUCCEEDED}", f"handed_off:{SUCCEEDED}", True),
    ("saga wakes: `attach_payment_callback` again, `complete_order`'s update begins",
     f"handed_off:{SUCCEEDED}", "step:paid", True),
)


@dataclass
class TimeToPaid:
    """Per variant, the marks of each order; the one-at-a-time baselines (seconds)."""

    timelines: dict[str, list[dict[str, float]]]
    bare: list[float]
    bare_sql: list[float]
    orders: int


def _until(check: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Poll `check` every 2 ms until it holds (RuntimeError past the timeout)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("the order did not get there in time")
        time.sleep(0.002)


def _marks(order_id: str) -> dict[str, float]:
    """The order's timestamps by TIMELINE name (the first of each)."""
    marks: dict[str, float] = {}
    for name, at in order_shop.rows(TIMELINE, id=order_id):
        marks[name] = min(at, marks.get(name, at))
    # The payment row learns of the confirm from the door (`created`) or, when the webhook
    # wins the race, from the hand-off (then the door records nothing new).
    known = [marks[k] for k in ("payment:created", f"payment:{SUCCEEDED}") if k in marks]
    if known:
        marks["confirmed"] = min(known)
    return marks


def _order(http: requests.Session, url: str, buyer: dict, card: str) -> dict[str, float]:
    """Place one order and follow it to `paid` (and its webhook handed off); its marks."""
    headers = {"Authorization": f"Bearer {buyer['id_token']}",
               "Idempotency-Key": f"bench-{uuid.uuid4()}"}
    posted = time.time()
    answer = http.post(url + "/v1/orders", headers=headers, timeout=30,
                       json=order_shop.order_body(buyer["product_id"], card))
    client = {"post": posted, "answer": time.time()}
    answer.raise_for_status()
    order = answer.json()
    if card == THREE_DS:  # a buyer takes seconds: the saga is waiting on its callback
        _until(lambda: "step:awaiting_payment" in _marks(order["id"]))
        page = urllib.parse.urlsplit(order["payment"]["next_action"]["url"])
        client["act"] = time.time()
        requests.post(page._replace(path=page.path.rstrip("/") + "/authorize").geturl(),
                      allow_redirects=False, timeout=10).raise_for_status()
    _until(lambda: {"step:paid", f"handed_off:{SUCCEEDED}"} <= set(_marks(order["id"])))
    return {**_marks(order["id"]), **client}


def _one_at_a_time(http: requests.Session, url: str, times: int) -> list[float]:
    """Seconds of `times` GETs, one after another, after five untimed."""
    out = []
    for index in range(times + 5):
        began = time.perf_counter()
        http.get(url, timeout=10).raise_for_status()
        if index >= 5:
            out.append(time.perf_counter() - began)
    return out


def run(orders: int = 30, say: Callable[[str], None] = print) -> TimeToPaid:
    """Start the stack, time the baselines, then `orders` orders of each variant in turn."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        products = order_shop.open_shop(1, 10_000)
        (buyer,) = order_shop.buyers(stack, 1, products)
        http, url = requests.Session(), stack.base_url
        base = serving.url(stack.services["baseline"])
        say(f"  baselines: {orders * 5} requests each, one at a time")
        bare = _one_at_a_time(http, base + "/", orders * 5)
        bare_sql = _one_at_a_time(http, base + "/?sql=1", orders * 5)
        timelines: dict[str, list[dict[str, float]]] = {}
        for card in ("pm_card_visa", THREE_DS):
            say(f"  {orders} orders by {card}, one at a time (after 4 untimed)")
            timed = [_order(http, url, buyer, card) for _ in range(orders + 4)]
            timelines[card] = timed[4:]
        return TimeToPaid(timelines, bare, bare_sql, orders)


def _span_rows(marks: list[dict[str, float]], spans: tuple, start: str,
               bare: float) -> list[list[str]]:
    """Median of each span; share of the mean time to paid for those on the way to it."""
    total = statistics.mean(m["step:paid"] - m[start] for m in marks)
    rows = []
    for label, begin, end, on_path in spans:
        values = [m[end] - m[begin] for m in marks]
        share = f"{statistics.mean(values) / total:.0%}" if on_path else "(beside it)"
        rows.append([label, fine_ms(statistics.median(values)), share,
                     f"{statistics.median(values) / bare:.1f}×"])
    whole = [m["step:paid"] - m[start] for m in marks]
    rows.append([f"**{start} → paid**", f"**{fine_ms(statistics.median(whole))}**", "100%",
                 f"{statistics.median(whole) / bare:.1f}×"])
    return rows


def _webhook_first(marks: list[dict[str, float]]) -> int:
    """Orders whose payment row heard of the confirm from the webhook first."""
    return sum(1 for m in marks if "payment:created" not in m
               or m.get(f"payment:{SUCCEEDED}", m["payment:created"]) < m["payment:created"])


METHOD = """The whole local stack under gunicorn, as in the latency benchmark; one signed-in
buyer, one product. Orders are placed one at a time (`POST /v1/orders`, one unit, card, a
fresh `Idempotency-Key`), each followed until it is `paid` and the twin's
`payment_intent.succeeded` webhook has been handed off, before the next. The marks are the
client's clock around the request and the database's: `order_steps.at`,
`payment_events.occurred_at`, `provider_events.received_at` / `processed_at` (the same
machine's clock; each is `now()`, the *start* of the transaction that wrote it). Medians
over {orders} orders of each kind, after 4 untimed; a span's share is its mean over the
mean time to paid, so the shares on the way to `paid` add up to 100 %. The baselines, one
request at a time on a keep-alive connection: the bare function ({bare} ms) and the bare
SQL round trip ({bare_sql} ms); **× bare** divides by the bare request.

- `pm_card_visa`: the twin confirms the card in the placement's own call, so the saga's
  first `attach_payment_callback` already reads `succeeded` and completes the order; the
  webhook arrives beside it and wakes nothing. (The `saga_started` step is written once
  the Executions API has answered, often after the saga's own first step: it is no
  boundary.)
- `{three_ds}` (3-D Secure), with the buyer approving on the twin's page as soon as the saga
  waits on its callback: here the webhook is what pays the order, through the door and the
  saga's callback."""


def section(result: TimeToPaid, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    bare, bare_sql = statistics.median(result.bare), statistics.median(result.bare_sql)
    head = ["span", "median ms", "share of time to paid", "× bare"]
    return "\n\n".join([
        "## Time from POST /v1/orders to paid", f"Measured {where}.",
        METHOD.format(orders=result.orders, bare=fine_ms(bare), bare_sql=fine_ms(bare_sql),
                      three_ds=THREE_DS),
        "### Card `pm_card_visa` (ms)",
        table(head, _span_rows(result.timelines["pm_card_visa"], VISA_SPANS, "post", bare)),
        f"The webhook reached the payment row before the door recorded the confirm's answer "
        f"for {_webhook_first(result.timelines['pm_card_visa'])} of {result.orders} orders "
        "(the twin sends it while the confirm is still answering).",
        f"### Card `{THREE_DS}`, from the buyer's approval (ms)",
        table(head, _span_rows(result.timelines[THREE_DS], THREE_DS_SPANS, "act", bare)),
    ])
