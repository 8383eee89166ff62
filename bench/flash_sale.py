"""The flash sale at scale: 1,000 signed-in buyers released at once for 100 units of one
product, each ordering one unit by card (retrying a 503 with the same key), beside 1,000
bare requests released the same way. Oversell must be 0."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import order_shop, serving
from bench.report import fine_ms, table
from bench.serving import Scenario

PAID_UNITS = """SELECT coalesce(sum(l.quantity), 0) FROM order_lines l
                JOIN orders o ON o.id = l.order_id
                WHERE l.product_id = :id AND o.status = 'paid'"""
RESERVED = """SELECT r.status, count(*) FROM stock_reservations r
              GROUP BY r.status ORDER BY r.status"""


@dataclass
class FlashSale:
    """Everything the flash sale measured."""

    buyers: int
    units: int
    bare: Scenario
    sale: Scenario
    lowest_stock: int  # the lowest stock a poller saw during the sale
    stock_after: int
    paid_units: int
    statuses: dict[str, int]
    reservations: dict[str, int]
    settle_s: float
    setup_s: dict[str, float]
    server: str

    @property
    def oversold(self) -> int:
        """Units sold beyond the stock: paid units over `units`, or stock below zero."""
        return max(0, self.paid_units - self.units) + max(0, -self.lowest_stock)


class StockWatch(threading.Thread):
    """Reads the product's stock every 10 ms until stopped; keeps the lowest."""

    def __init__(self, product_id: str) -> None:
        """Watch `product_id`."""
        super().__init__(daemon=True)
        self.product_id, self.lowest, self.halt = product_id, None, threading.Event()

    def run(self) -> None:
        """Poll until halted."""
        while not self.halt.is_set():
            stock = int(order_shop.scalar("SELECT stock FROM products WHERE id = :id",
                                          id=self.product_id))
            self.lowest = stock if self.lowest is None else min(self.lowest, stock)
            self.halt.wait(0.01)


def _sale(stack, buyers: list[dict], product_id: str) -> tuple[Scenario, int]:  # noqa: ANN001
    """Release every buyer at once; the scenario and the lowest stock seen meanwhile."""
    watch = StockWatch(product_id)
    watch.start()
    try:
        sale = serving.drive(stack.services["http"], {
            "scenario": "flash", "clients": len(buyers), "users": buyers, "duration_s": 0,
            "body": order_shop.order_body(""), "ok": ["200", "202"]},
            "flash", "POST /v1/orders, one each", module="bench.order_loadgen")
    finally:
        watch.halt.set()
        watch.join()
    return sale, int(watch.lowest if watch.lowest is not None else 0)


def run(buyers: int = 1000, units: int = 100, say: Callable[[str], None] = print) -> FlashSale:
    """Start the stack, stock one product, make the buyers, release the bare requests, then
    the buyers; wait for the sagas; count what was sold."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        began = time.perf_counter()
        (product,) = order_shop.open_shop(1, units)
        say(f"  creating {buyers} signed-in buyers")
        made = order_shop.buyers(stack, buyers, [product])
        setup["shop and buyers"] = time.perf_counter() - began
        say(f"  {buyers} bare requests at once")
        bare = serving.drive(stack.services["baseline"], {
            "scenario": "flash", "clients": buyers, "path": "/", "duration_s": 0},
            "bare", "bare function: GET /, one each", module="bench.order_loadgen")
        say(f"  {buyers} buyers at once for {units} units")
        sale, lowest = _sale(stack, made, product)
        say("  waiting until every order, webhook and event is done")
        settle_s = order_shop.wait_until_settled(stack)
        return FlashSale(
            buyers, units, bare, sale, lowest,
            int(order_shop.scalar("SELECT stock FROM products WHERE id = :id", id=product)),
            int(order_shop.scalar(PAID_UNITS, id=product)), order_shop.statuses(),
            {status: count for status, count in order_shop.rows(RESERVED)}, settle_s, setup,
            serving.describe(stack.services["http"]))


METHOD = """The whole local stack under gunicorn ({server}), as in the latency benchmark. One
product of a verified vendor that takes cards has {units} units; {buyers} verified
customers are created and signed in. Then {buyers} threads of a separate process
(bench/order_loadgen.py), one per buyer, wait at a barrier and are released at once: each
places one order of one unit (`POST /v1/orders`, card `pm_card_visa`, its own
`Idempotency-Key`) on a fresh connection and, on a 503, retries with the same key after its
`Retry-After`. The baseline is {buyers} bare requests (`GET /` of the bare function on the
same server settings) released the same way. Wall time runs from the release to the last
answer; orders/s is answers ÷ wall time. A poller reads the product's stock every 10 ms
during the sale; after it, the benchmark waits until no order waits for its payment (and
every webhook and event is delivered) and counts paid units from the order lines.
Oversell = paid units beyond the stock, or a stock below 0 (the `products.stock >= 0`
check would refuse it anyway)."""


def _outcomes(s: Scenario) -> str:
    """Final answers counted, e.g. `202: 100, 409 insufficient_stock: 900`."""
    return ", ".join(f"{k}: {v}" for k, v in sorted(s.outcomes.items()))


def section(result: FlashSale, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    bare, sale = result.bare, result.sale
    rows = [[f"`{s.label}`", str(s.requests), f"{s.elapsed_s:.2f}", f"{s.throughput:.1f}",
             f"{s.throughput / bare.throughput:.2f}×", fine_ms(s.percentile(50)),
             fine_ms(s.percentile(99)), fine_ms(s.latencies_s[-1]), _outcomes(s),
             ", ".join(f"{k}: {v}" for k, v in sorted(s.extra.get("tries", {}).items(),
                                                       key=lambda i: int(i[0])))]
            for s in (bare, sale)]
    refused = sale.outcomes.get("409 insufficient_stock", 0)
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    return "\n\n".join([
        "## Flash sale", f"Measured {where}.",
        METHOD.format(server=result.server, units=result.units, buyers=result.buyers),
        "### Results", table(["released at once", "answers", "wall s", "answers/s",
                              "÷ bare", "p50 ms", "p99 ms", "max ms", "final answers",
                              "tries per buyer (tries: buyers)"], rows),
        table(["", ""], [
            ["units on sale", str(result.units)],
            ["orders accepted (200/202)", str(sum(sale.outcomes.get(k, 0) for k in sale.ok))],
            ["refused 409 insufficient_stock", str(refused)],
            ["paid units once settled", str(result.paid_units)],
            ["stock after / lowest seen during the sale", f"{result.stock_after} / "
                                                         f"{result.lowest_stock}"],
            ["**oversell**", f"**{result.oversold}**"],
            ["orders by status", ", ".join(f"{k} {v}" for k, v in result.statuses.items())],
            ["reservations by status", ", ".join(f"{k} {v}" for k, v in
                                                 result.reservations.items())],
            ["stack idle (orders settled, webhooks and events delivered) after the last "
             "answer", f"{result.settle_s:.1f} s"]]),
        f"Setup: {setup}.",
    ])
