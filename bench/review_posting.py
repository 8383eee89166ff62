"""Review posting with 50 concurrent reviewers on one product (the rating summary is one hot
row, `product_ratings`), beside the same on 50 products, the bare function and the bare SQL
round trip of the same run; the summary's exactness afterwards and the row-lock waits
sampled from pg_stat_activity meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bench import order_shop, row_locks, serving
from bench.report import LATENCY_HEAD, scenario_rows, table
from bench.row_locks import Waits, sampled
from bench.serving import Scenario

STOCK = 1_000
SUMMARY = "SELECT stars_1, stars_2, stars_3, stars_4, stars_5 FROM product_ratings " \
          "WHERE product_id = :p"
COUNTED = "SELECT rating, count(*) FROM reviews WHERE product_id = :p AND status = 'visible' " \
          "GROUP BY rating"
# (name, label, which product each client reviews, load generator scenario)
SCENARIOS = (
    ("post_hot", "POST /v1/products/{id}/reviews, all on one product", "hot", "post"),
    ("post_spread", "POST /v1/products/{id}/reviews, each on its own product", "own", "post"),
    ("edit_hot", "PATCH …/reviews/{id} (rating), all on one product", "hot", "edit"),
    ("edit_spread", "PATCH …/reviews/{id} (rating), each on its own product", "own", "edit"),
)


@dataclass
class ReviewPosting:
    """Everything the review benchmark measured."""

    clients: int
    duration_s: float
    scenarios: list[Scenario]
    waits: dict[str, Waits]
    exact: dict[str, str]  # what was compared -> the outcome, as the report says it
    setup_s: dict[str, float]
    server: str


def _buy(base_url: str, buyer: dict, hot: str) -> None:
    """One paid order of the hot product and the buyer's own (card, settles by itself)."""
    body = order_shop.order_body(hot)
    body["items"].append({"product_id": buyer["own"], "quantity": 1})
    answer = requests.post(base_url + "/v1/orders", json=body, timeout=60, headers={
        "Authorization": f"Bearer {buyer['id_token']}", "Idempotency-Key": buyer["email"]})
    answer.raise_for_status()


def _buyers(stack, clients: int, say: Callable[[str], None]) -> tuple[str, list[dict]]:  # noqa: ANN001
    """A shop of 1 + `clients` products and `clients` buyers who each paid for the first
    (the hot one) and for one of the others (their own)."""
    hot, *own = order_shop.open_shop(clients + 1, STOCK)
    say(f"  creating {clients} signed-in buyers; each pays for the hot product and its own")
    made = order_shop.buyers(stack, clients, own)
    buyers = [{**user, "own": user["product_id"], "hot": hot} for user in made]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda buyer: _buy(stack.base_url, buyer, hot), buyers))
    order_shop.wait_until_settled(stack)
    paid = order_shop.statuses().get("paid", 0)
    if paid != clients:
        raise RuntimeError(f"{paid} of {clients} orders paid: {order_shop.statuses()}")
    return hot, buyers


def _drive(stack, name: str, label: str, scenario: str, users: list[dict],  # noqa: ANN001
           duration_s: float, waits: Waits) -> Scenario:
    """One scenario of bench/review_loadgen.py, pg_stat_activity sampled meanwhile."""
    ok = ["201"] if scenario == "post" else ["200"]
    with sampled(waits):
        return serving.drive(stack.services["http"], {
            "scenario": scenario, "clients": len(users), "users": users,
            "duration_s": duration_s, "ok": ok}, name, label, module="bench.review_loadgen")


def _scenarios(stack, buyers: list[dict], duration_s: float,  # noqa: ANN001
               say: Callable[[str], None]) -> tuple[list[Scenario], dict[str, Waits]]:
    """The baselines, then each of SCENARIOS; the reviews posted are edited after."""
    clients = len(buyers)
    say(f"  baselines: {clients} clients, {duration_s:g} s each")
    results, waits = serving.drive_baselines(stack, clients, duration_s), {}
    posted: dict[str, list[dict]] = {}
    for name, label, product, scenario in SCENARIOS:
        say(f"  {label}: {clients} clients" + (f", {duration_s:g} s" if scenario == "edit"
                                                else ", one each, released at once"))
        users = [{**b, "product_id": b[product], "post_rating": 1 + i % 5,
                  "not_bought": buyers[(i + 1) % clients]["own"]} for i, b in enumerate(buyers)]
        if scenario == "edit":
            users = [{**u, "review_id": r["id"], "rating": r["rating"]}
                     for u, r in zip(users, posted[product], strict=True)]
        waits[name] = Waits()
        results.append(_drive(stack, name, label, scenario, users, duration_s, waits[name]))
        if scenario == "post":
            if results[-1].extra["warm_up"] != {"403 not_a_buyer": clients}:
                raise RuntimeError(f"unexpected warm-up: {results[-1].extra['warm_up']}")
            posted[product] = results[-1].extra["reviews"]
            if any(r["id"] is None for r in posted[product]):
                raise RuntimeError(f"not every review was posted: {results[-1].outcomes}")
    return results, waits


def _agrees(base_url: str, product_id: str) -> tuple[bool, list[int], list[int], list[int]]:
    """(all three agree, the summary row, the visible reviews counted, the API's
    distribution), each as counts of 1..5 stars."""
    row = list(order_shop.rows(SUMMARY, p=product_id)[0])
    counted = dict(order_shop.rows(COUNTED, p=product_id))
    reviews = [int(counted.get(star, 0)) for star in range(1, 6)]
    rating = requests.get(f"{base_url}/v1/products/{product_id}", timeout=30).json()["rating"]
    api = [rating["distribution"][str(star)] for star in range(1, 6)]
    return row == reviews == api and rating["count"] == sum(reviews), row, reviews, api


def _exactness(base_url: str, hot: str, own: list[str]) -> dict[str, str]:
    """The hot product's summary against its reviews, and how many of the others agree."""
    same, row, reviews, api = _agrees(base_url, hot)
    others = sum(_agrees(base_url, product)[0] for product in own)
    return {"hot product": (f"{'exact' if same else 'DRIFTED'}: summary row {row}, visible "
                            f"reviews counted {reviews}, GET /v1/products/{{id}} {api} "
                            f"(1 to 5 stars), count {sum(row)}"),
            "own products": f"{others} of {len(own)} summaries equal their reviews"}


def run(duration_s: float = 15.0, clients: int = 50,
        say: Callable[[str], None] = print) -> ReviewPosting:
    """Start the stack, make the buyers, drive the baselines and the four scenarios."""
    setup: dict[str, float] = {}
    with order_shop.running_stack(say, setup) as stack:
        began = time.perf_counter()
        hot, buyers = _buyers(stack, clients, say)
        setup["shop, buyers and their paid orders"] = time.perf_counter() - began
        results, waits = _scenarios(stack, buyers, duration_s, say)
        exact = _exactness(stack.base_url, hot, [b["own"] for b in buyers])
        return ReviewPosting(clients, duration_s, results, waits, exact, setup,
                             serving.describe(stack.services["http"]))


METHOD = """The whole local stack under gunicorn ({server}), with the baselines beside it, as
in the latency benchmark (bench/serving.py). A verified vendor lists {products} products;
{clients} verified customers are created and signed in, and each buys, in one card order
paid through the whole saga, one unit of the **hot** product and one of **its own** product.
Then, from a separate process (bench/review_loadgen.py), {clients} keep-alive clients:

- **POST**: every buyer posts one review (a rating 1 to 5 by turns, a title, a text), all
  released at once after an untimed review, on the same connection, of a product it did
  not buy (403 `not_a_buyer`: the function's whole path but its writes, warm): once on the
  hot product ({clients} transactions on one summary row, which the first of them
  creates), once on their own products. One sample per buyer: the p99 of {clients} is
  their slowest but one.
- **PATCH**: to get enough samples on the hot row, every author then changes its review's
  rating back to back for {duration:g} s after an untimed first edit (always to another
  rating: each edit is one `stars_old − 1, stars_new + 1` upsert of the summary row, in the
  review's transaction), on the hot product, then on their own products. The same
  transaction shape as a post; the only difference between the two rows of a kind is
  whether the {clients} transactions share one summary row.

201 (posts) and 200 (edits) are answers; latency percentiles are over them (nearest rank).
**÷ bare** divides by the bare function's figure in the same run. The machine is the same for
both products, so *hot ÷ own* is what the shared row costs."""

def _hot_over_own(hot: Scenario, own: Scenario, kind: str) -> str:
    """The hot product's p50 and p99 ÷ those of the clients' own products."""
    return (f"{kind} p50 {hot.percentile(50) / own.percentile(50):.2f}×, "
            f"p99 {hot.percentile(99) / own.percentile(99):.2f}×")


def section(result: ReviewPosting, where: str) -> str:
    """The benchmark's section of docs/benchmarks.md."""
    by_name = {s.name: s for s in result.scenarios}
    ratios = ", ".join(_hot_over_own(by_name[f"{kind}_hot"], by_name[f"{kind}_spread"], kind)
                       for kind in ("post", "edit"))
    setup = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.setup_s.items())
    untimed_edits = {"edit_hot": result.clients, "edit_spread": result.clients}
    return "\n\n".join([
        "## Review posting: one hot product", f"Measured {where}.",
        METHOD.format(server=result.server, products=result.clients + 1,
                      clients=result.clients, duration=result.duration_s),
        "### Results (ms)", table(LATENCY_HEAD, scenario_rows(result.scenarios)),
        f"Hot ÷ own: {ratios}.",
        "### Exactness under contention",
        "After the four scenarios: " + "; ".join(
            f"{what}: {outcome}" for what, outcome in result.exact.items()) + ".",
        "### Waiting on the summary row's lock",
        row_locks.METHOD.format(every=row_locks.SAMPLE_EVERY_S * 1000),
        table(row_locks.LOCK_HEAD,
              row_locks.lock_rows(result.scenarios, result.waits, untimed_edits)),
        "The posts last well under a second: few samples. An edit client's untimed first "
        "edit takes the same lock and counts among the requests; a post's warm-up (403) "
        "takes none.",
        f"Setup: {setup}.",
        "Warnings and errors the server logged meanwhile:\n\n" + "\n".join(
            f"- `{s.label}`: {count} × `{message}`" for s in result.scenarios
            for message, count in sorted(s.server_log.items(), key=lambda i: -i[1]))
        if any(s.server_log for s in result.scenarios) else
        "Warnings and errors the server logged meanwhile: none.",
    ])
