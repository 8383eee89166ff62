"""Order placement under load: 50 concurrent buyers placing card orders back to back
(`POST /v1/orders`, pm_card_visa) against the functions under gunicorn, beside the bare
functions-framework function and the bare SQL round trip of the same run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import order_shop, serving
from bench.report import LATENCY_HEAD, scenario_rows, table
from bench.serving import Scenario

LABEL = "POST /v1/orders (card, pm_card_visa)"
STOCK = 100_000  # per product: no buyer runs short
# What else the server did for the orders: counted before the load and once settled.
WORK = {"Stripe webhook deliveries recorded": "SELECT count(*) FROM provider_events",
        "events written to the outbox": "SELECT count(*) FROM outbox_events",
        "events consumed (inbox rows)": "SELECT count(*) FROM inbox_events"}


def _work() -> dict[str, int]:
    """WORK's counts now."""
    return {name: int(order_shop.scalar(query)) for name, query in WORK.items()}


@dataclass
class Placement:
    """Everything the order placement benchmark measured."""

    clients: int
    duration_s: float
    products: int
    scenarios: list[Scenario]
    settle_s: float  # after the load: until the stack was idle (wait_until_settled)
    statuses: dict[str, int]  # orders by status once settled
    setup_s: dict[str, float]
    server: str
    cpu_s: dict[str, float]  # CPU seconds by part of the stack, load start to settled
    work: dict[str, int]  # WORK's counts, load start to settled


def run(duration_s: float = 20.0, clients: int = 50,
        say: Callable[[str], None] = print) -> Placement:
    """Start the stack, open the shop, drive the baselines and the orders, wait for the
    sagas to finish."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        began = time.perf_counter()
        products = order_shop.open_shop(clients, STOCK)
        say(f"  creating {clients} signed-in buyers")
        buyers = order_shop.buyers(stack, clients, products)
        setup["shop and buyers"] = time.perf_counter() - began
        say(f"  baselines: {clients} clients, {duration_s:g} s each")
        scenarios = serving.drive_baselines(stack, clients, duration_s)
        say(f"  {LABEL}: {clients} clients, {duration_s:g} s")
        cpu_before, work_before = order_shop.cpu_seconds(stack), _work()
        scenarios.append(serving.drive(stack.services["http"], {
            "scenario": "orders", "clients": clients, "users": buyers,
            "duration_s": duration_s, "body": order_shop.order_body(""),
            "ok": ["200", "202"]}, "orders", LABEL, module="bench.order_loadgen"))
        say("  waiting until every order, webhook and event is done")
        settle_s = order_shop.wait_until_settled(stack)
        cpu = {name: seconds - cpu_before.get(name, 0.0)
               for name, seconds in order_shop.cpu_seconds(stack).items()}
        return Placement(clients, duration_s, len(products), scenarios, settle_s,
                         order_shop.statuses(), setup, serving.describe(stack.services["http"]),
                         cpu, {k: v - work_before[k] for k, v in _work().items()})


METHOD = """The whole local stack under gunicorn ({server}), with the baselines beside it, as
in the latency benchmark (bench/serving.py). A verified vendor that takes cards lists
{products} products of {stock:,} units each (the listing use case); {clients} verified
customers are created and signed in. Each of {clients} keep-alive clients (threads in a
separate process, bench/order_loadgen.py) is one buyer, ordering one unit of its own
product after another for {duration:g} s after an untimed first order: `POST /v1/orders`
with a fresh `Idempotency-Key`, card `pm_card_visa` (confirmed at once by the Stripe
twin). Every order runs the whole placement: the reservation's transaction, the
PaymentIntent created and confirmed at the twin, the purchase saga started at the
Workflows stand-in. Meanwhile the same server also takes the twin's webhooks and the
sagas' calls (`attach_payment_callback`, `complete_order`) and the Pub/Sub pushes that
follow `order.paid`: that work shares the two cores, and is part of what an order costs.
202 (and 200) are answers; latency percentiles are over them (nearest rank). **÷ bare**
divides by the bare function's figure in the same run."""


CPU_METHOD = """CPU time (user + system) of each part of the stack, from just before the
orders' load to the moment every order had settled, divided by the orders placed in that
window (the untimed first orders included): what one order costs the machine, all of its
saga, webhooks and events included. PostgreSQL counts its backends alive at the end."""


def _cpu_rows(result: Placement) -> list[list[str]]:
    """CPU seconds per part of the stack, per order and as a share."""
    orders = sum(result.statuses.values())
    total = sum(result.cpu_s.values())
    rows = [[name, f"{seconds:.1f}", f"{seconds / orders * 1000:.1f}", f"{seconds / total:.0%}"]
            for name, seconds in sorted(result.cpu_s.items(), key=lambda i: -i[1])]
    return rows + [["**all**", f"**{total:.1f}**", f"**{total / orders * 1000:.1f}**",
                    "100%"]]


def section(result: Placement, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    orders = next(s for s in result.scenarios if s.name == "orders")
    placed = sum(orders.outcomes.get(status, 0) for status in orders.ok)
    done = ", ".join(f"{status} {count}" for status, count in result.statuses.items())
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    return "\n\n".join([
        "## Order placement under load", f"Measured {where}.",
        METHOD.format(server=result.server, products=result.products, stock=STOCK,
                      clients=result.clients, duration=result.duration_s),
        "### Results (ms)", table(LATENCY_HEAD, scenario_rows(result.scenarios)),
        f"Orders placed and answered in the timed window: {placed} "
        f"({placed / orders.elapsed_s:.1f} orders/s). After the load, the stack was idle "
        f"(every order settled, every webhook delivered, every event consumed) "
        f"{result.settle_s:.1f} s later; orders by status then (first orders included): "
        f"{done}. Meanwhile, per order: " + ", ".join(
            f"{name} {count / sum(result.statuses.values()):.1f}"
            for name, count in result.work.items()) + ".",
        "### Where the CPU goes (ms of CPU per order)", CPU_METHOD,
        table(["part of the stack", "CPU s", "ms per order", "share"], _cpu_rows(result)),
        f"Setup: {setup}.",
        "Warnings and errors the server logged meanwhile:\n\n" + "\n".join(
            f"- `{s.label}`: {count} × `{message}`" for s in result.scenarios
            for message, count in sorted(s.server_log.items(), key=lambda i: -i[1]))
        if any(s.server_log for s in result.scenarios) else
        "Warnings and errors the server logged meanwhile: none.",
    ])
