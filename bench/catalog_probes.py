"""The catalog benchmark's probes inside the benchmark's process, against the running stack:
the requests' work without HTTP (and under PostgreSQL's old default planner costs), the
EXPLAIN plans of their SQL, upload-to-searchable timing, image hits, and the model load."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from bench import catalog_data, coldstart

ROOT = Path(__file__).resolve().parent.parent
SEARCH_BY_IMAGE = "/v1/products:searchByImage"
INDEXED_SIZES = ((640, 480), (2000, 1500))
OLD_RANDOM_PAGE_COST = 4  # PostgreSQL's default, which common/adapters/database.py replaces
OLD_DEFAULT = f"old default `random_page_cost = {OLD_RANDOM_PAGE_COST}`:"  # a label prefix
IMAGE_SQL = "image: nearest images (pgvector) + summaries (SQL)"


def _timed(calls) -> list[float]:  # noqa: ANN001
    """Run each call once; the sorted durations."""
    samples = []
    for call in calls:
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return sorted(samples)


def _search_call(queries, path: str):  # noqa: ANN001, ANN202
    """The product search use case that a catalog GET path asks for, as a call."""
    from common.domain.catalog import ProductSearch, Sort, query_words
    from common.services.product_search import search_products

    asked = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    wanted = ProductSearch(words=query_words(asked.get("q")), sort=Sort(asked["sort"]),
                           category_id=asked.get("category_id"),
                           subcategory_id=asked.get("subcategory_id"))
    from common import bootstrap

    key = bootstrap.settings().page_token_signing_key()
    return lambda: search_products(wanted, asked.get("page_token"), queries=queries,
                                   token_key=key)


def in_process(work: dict[str, dict]) -> dict[str, list[float]]:
    """The same requests without HTTP: the adapter (SQL) calls, and recognition apart; then
    the SQL again with PostgreSQL's old default `random_page_cost` (what the setting buys)."""
    from common import bootstrap
    from common.imaging.decode import decode

    queries, similar, recognizer = (bootstrap.product_queries(), bootstrap.similar_products(),
                                    bootstrap.image_recognizer())
    pages = {name: [_search_call(queries, p) for p in work[name]["paths"]]
             for name in ("browse", "browse2", "text")}
    result = {f"{name}: `PostgresProductSearch.search` (SQL)": _timed(
        calls * (2 if name != "text" else 1)) for name, calls in pages.items()}
    photos = [Path(name).read_bytes() for name in work["image"]["photo_files"]]
    seen = [recognizer.recognize(decode(data, draft_side=448)) for data in photos]
    result["image: decode + recognise (onnxruntime, 1 thread)"] = _timed(
        (lambda d=data: recognizer.recognize(decode(d, draft_side=448))) for data in photos)
    nearest = [(lambda r=r: queries.summaries([p for p, _ in similar.find(None, r, 10)]))
               for r in seen * 3]
    result[IMAGE_SQL] = _timed(nearest)
    with planner_setting(f"random_page_cost = {OLD_RANDOM_PAGE_COST}"):
        for name in ("browse", "text"):
            result[f"{OLD_DEFAULT} {name}: `PostgresProductSearch.search` (SQL)"] = _timed(
                pages[name])
        result[f"{OLD_DEFAULT} {IMAGE_SQL}"] = _timed(nearest)
    return result


def random_page_cost() -> str:
    """The setting on the server's pooled connections now (`SHOW random_page_cost`)."""
    from common import bootstrap

    with bootstrap.engine().connect() as db:
        return db.exec_driver_sql("SHOW random_page_cost").scalar()


@contextmanager
def planner_setting(setting: str):
    """Every connection checked out meanwhile runs `SET setting` first; the pool's
    connections are closed afterwards (the setting outlives the transaction)."""
    from sqlalchemy import event

    from common import bootstrap

    def checkout(dbapi_connection, *_: object) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET {setting}")
        cursor.close()

    event.listen(bootstrap.engine().pool, "checkout", checkout)
    try:
        yield
    finally:
        event.remove(bootstrap.engine().pool, "checkout", checkout)
        bootstrap.engine().dispose()


@contextmanager
def captured_sql():
    """The driver-level statements the engine runs meanwhile."""
    from sqlalchemy import event

    from common import bootstrap

    seen = []

    def before(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        seen.append((statement, parameters))

    event.listen(bootstrap.engine(), "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(bootstrap.engine(), "before_cursor_execute", before)


def _asked(work: dict[str, dict]) -> dict:
    """Label -> call: a browse, three text searches and a search by image."""
    from common import bootstrap
    from common.domain.catalog import ProductSearch, Sort, query_words
    from common.imaging.decode import decode

    queries, similar = bootstrap.product_queries(), bootstrap.similar_products()
    sub = work["browse"]["paths"][0].split("subcategory_id=")[1].split("&")[0]
    photo = decode(Path(work["image"]["photo_files"][0]).read_bytes(), draft_side=448)
    seen_in_photo = bootstrap.image_recognizer().recognize(photo)
    return {
        "browse (page 1)": lambda: queries.search(ProductSearch(
            category_id=sub.split("--")[0], subcategory_id=sub, sort=Sort.NEWEST), None),
        **{f"text `{q}`{note}": (lambda q=q: queries.search(ProductSearch(
            words=query_words(q)), None)) for q, note in (
            ("wireless headphones", ""), ("hedphones", " (misspelt)"),
            ("steel", " (a material: many matches)"))},
        "image": lambda: queries.summaries(
            [p for p, _ in similar.find(photo, seen_in_photo, 10)]),
    }


def plans(work: dict[str, dict]) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT that a browse, three text searches and a
    search by image run, replayed with their SET LOCALs in one transaction."""
    from common import bootstrap

    found = {}
    for label, call in _asked(work).items():
        with captured_sql() as seen:
            call()
        selects = [s for s, _ in seen if s.lstrip().upper().startswith("SELECT")]
        with bootstrap.engine().connect() as db, db.begin():
            for statement, parameters in seen:
                if statement not in selects:
                    db.exec_driver_sql(statement, parameters)
                    continue
                rows = db.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                part = _part(statement) if len(selects) > 1 else "query"
                plan = "\n".join(row[0] for row in rows)
                found[f"{label}, {part}"] = re.sub(r"'\[[^\]]{100,}\]'", "'[embedding]'", plan)
    return found


def _part(statement: str) -> str:
    """Which statement of a request this is."""
    if "search_lexicon" in statement:
        return "lexicon lookup"
    if "<=>" in statement:
        return "nearest images"
    return "summaries" if "ANY(" in statement else "page query"


def server_stats(stack):  # noqa: ANN001, ANN201
    """What the server's gunicorn workers count (devstack/server_stats.py): here, the seconds
    of each Pub/Sub push their functions handled, by 'function eventType objectId'."""
    from devstack.server_stats import ServerStats

    server = stack.services["http"]
    return ServerStats(server.run_dir / "stats", server.workers)


def _ready(http: requests.Session, base_url: str, product_id: str, image_id: str) -> str:
    """Poll the product every 20 ms until the image left `pending`; its status."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        images = http.get(f"{base_url}/v1/products/{product_id}", timeout=30).json()["images"]
        status = next(i["status"] for i in images if i["id"] == image_id)
        if status != "pending":
            return status
        time.sleep(0.02)
    return "timeout"


def _upload_one(stack, product_id: str, vendor_id: str, data: bytes,  # noqa: ANN001
                calls) -> dict[str, float]:  # noqa: ANN001
    """Sign an upload with the use case, PUT it as a client does, wait until it is ready."""
    from common import bootstrap
    from common.domain.identity import AccountState, Principal, Role, VendorStatus
    from common.services.product_images import OBJECT_PREFIX, request_image_upload

    principal = Principal(vendor_id, Role.VENDOR, AccountState.ACTIVE, True,
                          VendorStatus.VERIFIED)
    began = time.perf_counter()
    ticket = request_image_upload(principal, product_id, "image/jpeg", len(data),
                                  uow=bootstrap.unit_of_work, store=bootstrap.image_store())
    put_at = time.perf_counter()
    http = requests.Session()
    http.put(ticket.upload_url, data=data, headers=ticket.upload_headers,
             timeout=30).raise_for_status()
    done = time.perf_counter()
    status = _ready(http, stack.base_url, product_id, ticket.image_id)
    ready = time.perf_counter()
    if status != "ready":
        raise RuntimeError(f"image {ticket.image_id} ended {status}")
    finalized = ("index_product_image OBJECT_FINALIZE "
                 f"{OBJECT_PREFIX}{product_id}/{ticket.image_id}")
    deadline = time.monotonic() + 30
    while finalized not in (seen := calls()):  # the function commits, then returns
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not report its push of {finalized}")
        time.sleep(0.01)
    return {"signed URL (use case)": put_at - began, "PUT": done - put_at,
            "PUT done → ready": ready - done, "in the function": seen[finalized]}


def _warm_up(stack, spare, stats, most: int = 12) -> None:  # noqa: ANN001
    """Untimed uploads until every worker has indexed one (built its storage client and
    Pub/Sub publisher, as a warm instance has), or `most` uploads."""
    data = catalog_data.jpeg(catalog_data.scene(9_000_000, INDEXED_SIZES[0]))
    for _ in range(most):
        done = [any(k.startswith("index_product_image ") for k in calls)
                for calls in stats.calls_by_worker()]
        if len(done) >= stats.workers and all(done):
            return
        _upload_one(stack, *next(spare), data, stats.calls)


def indexing(stack, seeded: catalog_data.Seeded, count: int) -> dict[str, dict]:  # noqa: ANN001
    """Upload `count` photos of each size through signed URLs, one at a time, once every
    worker has indexed an untimed one."""
    result, spare, stats = {}, iter(seeded.spare), server_stats(stack)
    _warm_up(stack, spare, stats)
    for width, height in INDEXED_SIZES:
        steps: dict[str, list[float]] = {}
        for n in range(count):
            data = catalog_data.jpeg(catalog_data.scene(10_000_000 + n, (width, height)))
            for step, seconds in _upload_one(stack, *next(spare), data, stats.calls).items():
                steps.setdefault(step, []).append(seconds)
        result[f"{width}×{height}"] = {step: sorted(v) for step, v in steps.items()}
    return result


def image_hits(base_url: str, work: dict[str, dict], seeded: catalog_data.Seeded) -> tuple:
    """(photos whose own product came first, photos sent): is the index answering sensibly?"""
    owner, http, hits = dict(seeded.photos), requests.Session(), 0
    files = work["image"]["photo_files"]
    for name in files:
        with open(name, "rb") as photo:
            items = http.post(base_url + SEARCH_BY_IMAGE, timeout=30,
                              files={"image": ("photo.jpg", photo, "image/jpeg")}).json()["items"]
        hits += bool(items) and items[0]["product"]["id"] == owner[int(Path(name).stem)]
    return hits, len(files)


MODEL_PROBE = """
import json, sys, time
marks = [time.perf_counter()]
import onnxruntime
marks.append(time.perf_counter())
from common.adapters.onnx_recognizer import OnnxImageRecognizer
from common.imaging.decode import decode
marks.append(time.perf_counter())
recognizer = OnnxImageRecognizer(sys.argv[1])
marks.append(time.perf_counter())
image = decode(open(sys.argv[2], "rb").read(), draft_side=448)
for _ in range(2):
    recognizer.recognize(image)
    marks.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(marks, marks[1:])]))
"""
MODEL_STEPS = ("`import onnxruntime`", "import the recognizer and decoder (Pillow, NumPy)",
               "load the model (`InferenceSession`, class names)", "first recognition",
               "second recognition")


def model_load(model_path: str, runs: int) -> dict[str, float]:
    """Median seconds of each step of a fresh process's first recognitions."""
    photo = ROOT / ".local" / "bench" / f"photo-{uuid.uuid4().hex[:8]}.jpg"
    photo.write_bytes(catalog_data.customer_photo(0, 0))
    try:
        samples = [json.loads(subprocess.run(
            [sys.executable, "-c", MODEL_PROBE, model_path, str(photo)], check=True, cwd=ROOT,
            capture_output=True, text=True, env=coldstart.child_env()).stdout)
            for _ in range(runs + 1)][1:]  # the first warms the page cache
    finally:
        photo.unlink()
    return {step: statistics.median(s[i] for s in samples) for i, step in enumerate(MODEL_STEPS)}
