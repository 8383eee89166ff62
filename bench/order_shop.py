"""What the order benchmarks share: the stack under gunicorn (bench/serving.py), a verified
vendor taking cards with products in stock, signed-in buyers, the order body, and waiting
until every order placed has settled."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import serving
from bench.latency import PASSWORD, make_users

ROOT = Path(__file__).resolve().parent.parent
RETURN_URL = "https://bazaar.example/orders/return"
ADDRESS = {"name": "Bench Buyer", "line1": "1 Bench Street", "postal_code": "10115",
           "city": "Berlin", "country": "DE"}
CHECKLIST = {"business_registration": True, "identity": True, "address": True,
             "bank_account": True}
PRICE = 2500  # cents


@contextmanager
def running_stack(say: Callable[[str], None], setup: dict[str, float]) -> Iterator:
    """The stack under gunicorn with the baseline server beside it, for the block."""
    local_dir = ROOT / ".local" / "bench" / uuid.uuid4().hex[:8]
    saved = dict(os.environ)
    os.environ.update(serving.BENCH_ENV)
    say(f"  starting the local stack under gunicorn in {local_dir}")
    began = time.perf_counter()
    stack = serving.start(local_dir)
    setup["stack"] = time.perf_counter() - began
    try:
        yield stack
    finally:
        serving.discard(stack, local_dir)
        os.environ.clear()
        os.environ.update(saved)


def _account(name: str, role) -> str:  # noqa: ANN001
    """An account made with the registration use case (email verified); its id."""
    from common import bootstrap
    from common.domain.identity import Business, Role
    from common.services.registration import NewAccount, register

    email = f"bench-{name}-{uuid.uuid4().hex[:8]}@example.com"
    business = (Business("Bench Goods GmbH", "HRB-BENCH", "DE", "1 Bench Street, Berlin")
                if role is Role.VENDOR else None)
    return register(NewAccount(f"Bench {name}", email, PASSWORD, role, business),
                    bootstrap.unit_of_work, bootstrap.identity(), email_verified=True).id


def open_shop(products: int, stock: int) -> list[str]:
    """A verified vendor that takes cards, with `products` products of `stock` units each
    (listed with the use case); their ids."""
    from common import bootstrap
    from common.domain.identity import AccountState, Principal, Role, VendorStatus
    from common.services.catalog import list_product
    from common.services.profiles import update_vendor_profile
    from common.services.vendor_verification import verify_vendor

    admin, vendor = _account("admin", Role.ADMIN), _account("vendor", Role.VENDOR)
    verify_vendor(vendor, CHECKLIST, "benchmark", admin_id=admin, uow=bootstrap.unit_of_work)
    update_vendor_profile(vendor, {"payment_methods": ["card"]}, uow=bootstrap.unit_of_work)
    principal = Principal(vendor, Role.VENDOR, AccountState.ACTIVE, True, VendorStatus.VERIFIED)
    return [list_product(principal, {
        "name": f"Bench lamp {n}", "description": "A lamp for the order benchmarks.",
        "price_amount": PRICE, "category_id": "home-kitchen",
        "subcategory_id": "home-kitchen--lighting", "stock": stock,
    }, uow=bootstrap.unit_of_work).id for n in range(products)]


def buyers(stack, count: int, products: list[str]) -> list[dict]:  # noqa: ANN001
    """`count` verified, signed-in customers; buyer i orders products[i % len(products)]."""
    made = make_users(stack, count)
    return [{**user, "product_id": products[i % len(products)]} for i, user in enumerate(made)]


def order_body(product_id: str, card: str = "pm_card_visa") -> dict:
    """POST /v1/orders' body: one unit of the product, paid by card."""
    return {"items": [{"product_id": product_id, "quantity": 1}],
            "payment": {"method": "card", "payment_method": card, "return_url": RETURN_URL},
            "shipping_address": ADDRESS}


def scalar(query: str, **params: object) -> object:
    """One value read as the database owner (the benchmark's process)."""
    from sqlalchemy import text

    from common import bootstrap

    with bootstrap.engine().connect() as db:
        return db.execute(text(query), params).scalar()


def rows(query: str, **params: object) -> list:
    """Rows read as the database owner."""
    from sqlalchemy import text

    from common import bootstrap

    with bootstrap.engine().connect() as db:
        return list(db.execute(text(query), params))


def wait_until_settled(stack, timeout_s: float = 600.0) -> float:  # noqa: ANN001
    """Seconds until no order waits for its payment, the Stripe twin has delivered every
    webhook and Pub/Sub every event (RuntimeError, TimeoutError past `timeout_s`)."""
    began = time.perf_counter()
    while scalar("SELECT count(*) FROM orders WHERE status = 'pending_payment'"):
        if time.perf_counter() - began > timeout_s:
            raise RuntimeError(f"orders still pending after {timeout_s:g} s")
        time.sleep(0.05)
    stack.services["stripe"].wait_until_idle(timeout=timeout_s)
    stack.services["pubsub"].wait_until_idle(timeout=timeout_s)
    return time.perf_counter() - began


def statuses() -> dict[str, int]:
    """How many orders are in each status."""
    return {status: count for status, count in rows(
        "SELECT status, count(*) FROM orders GROUP BY status ORDER BY status")}


def _group(cmdline: str) -> str | None:
    """The part of the stack a process of it is."""
    for needle, group in (("devstack.gunicorn", "functions (gunicorn)"),
                          ("devstack.workflows", "Workflows stand-in"),
                          ("postgres", "PostgreSQL"), ("firebase", "Auth emulator (Node)"),
                          ("fake-gcs-server", "fake-gcs-server")):
        if needle in cmdline:
            return group
    return None


def cpu_seconds(stack) -> dict[str, float]:  # noqa: ANN001
    """CPU seconds (user + system) used so far by each part of the stack (this process's
    children, or a process naming the stack's folder, with its children: PostgreSQL), by this
    process (the Stripe twin and the Pub/Sub stand-in run in it) and its finished children
    (the load generator). The baseline server is left out."""
    import psutil

    times = psutil.Process().cpu_times()
    used = {"benchmark process (Stripe twin, Pub/Sub stand-in)": times.user + times.system,
            "load generator": times.children_user + times.children_system}
    local, seen = str(stack.local_dir), set()
    mine = {child.pid for child in psutil.Process().children(recursive=True)}
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or ())
        group = _group(cmdline)
        if (group is None or "baseline-http" in cmdline
                or (local not in cmdline and process.pid not in mine)):
            continue
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for member in family:
            if member.pid in seen:
                continue
            seen.add(member.pid)
            try:
                cpu = member.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used[group] = used.get(group, 0.0) + cpu.user + cpu.system
    return used
