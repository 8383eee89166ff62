"""Catalog latency on the local server over a seeded catalog: browse, text search and search
by image (20 clients and 1), the same queries in-process without HTTP, their query plans,
the time from an upload to a searchable image, and the image functions' cold start.

Served as production serves it, beside the baselines (bench/serving.py). This module drives
the run and the load; bench/catalog_probes.py measures inside this process,
bench/catalog_report.py writes the section. Run as `python -m bench.catalog_latency` it is
the load generator's process (a JSON job on stdin)."""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

from bench import catalog_data, catalog_probes, coldstart, loadgen, serving
from bench.catalog_probes import SEARCH_BY_IMAGE
from bench.serving import Scenario

ROOT = Path(__file__).resolve().parent.parent
IMAGE_FUNCTIONS = ("index_product_image", "search_products_by_image")
SCENARIOS = (  # the report puts labels in backticks
    ("browse", "browse: GET /v1/products?category_id=…&subcategory_id=…&sort=newest"),
    ("browse2", "browse, page 2: … &page_token=…"),
    ("text", "text search: GET /v1/products?q=…&sort=relevance"),
    ("image", f"search by image: POST {SEARCH_BY_IMAGE} (640×480 JPEG)"),
)


@dataclass
class CatalogLatency:
    """Everything the catalog benchmark measured."""

    seeded: catalog_data.Seeded
    setup_s: dict[str, float]
    loaded: list[Scenario]  # the baselines first
    single: list[Scenario]
    in_process: dict[str, list[float]]  # label -> sorted seconds
    random_page_cost: str  # on the server's pooled connections (SHOW)
    plans: dict[str, str]  # label -> EXPLAIN (ANALYZE, BUFFERS) output
    indexing: dict[str, dict[str, list[float]]]  # image size -> step -> seconds
    image_hits: tuple[int, int]
    model_s: dict[str, float] = field(default_factory=dict)
    coldstart: coldstart.ColdStart | None = None
    server: str = ""


def _request(http: requests.Session, job: dict, user: dict) -> requests.Response:
    """One request of a catalog scenario (in the load generator's process)."""
    if job["scenario"] == "image":
        photo = random.choice(job["photos"])
        return http.post(job["url"] + SEARCH_BY_IMAGE, timeout=loadgen.TIMEOUT_S,
                         files={"image": ("photo.jpg", photo, "image/jpeg")})
    return http.get(job["url"] + random.choice(job["paths"]), timeout=loadgen.TIMEOUT_S)


def _load_child() -> None:
    """bench/loadgen.py's clients, sending catalog requests: JSON job in, JSON out."""
    job = json.load(sys.stdin)
    job["photos"] = [Path(name).read_bytes() for name in job["photo_files"]]
    loadgen._request = _request  # loadgen knows only its own scenarios; its clients stay as is
    sys.stdout.write(json.dumps(loadgen.drive(job)))


def drive(server, scenario: tuple[str, str], clients: int, duration_s: float,  # noqa: ANN001
          work: dict) -> Scenario:
    """Run the load generator in its own process against one scenario."""
    job = {"scenario": scenario[0], "clients": clients, "duration_s": duration_s, **work}
    return serving.drive(server, job, *scenario, module="bench.catalog_latency")


def workloads(base_url: str, seeded: catalog_data.Seeded, photo_dir: Path) -> dict[str, dict]:
    """Per scenario, what its clients pick from at random: paths, or photo files."""
    http, browse, second = requests.Session(), [], []
    for category, sub in seeded.subcategories:
        path = "/v1/products?" + urlencode({"category_id": category, "subcategory_id": sub,
                                            "sort": "newest"})
        token = http.get(base_url + path, timeout=30).json()["next_page_token"]
        browse.append(path)
        if token:
            second.append(path + "&" + urlencode({"page_token": token}))
    rng = random.Random(catalog_data.SEED)
    text = ["/v1/products?" + urlencode({"q": q, "sort": "relevance"})
            for q in catalog_data.text_queries(rng, 300)]
    photos = []
    for n, (image_seed, _) in enumerate(rng.sample(seeded.photos, 40)):
        photos.append(photo_dir / f"{image_seed}.jpg")
        photos[-1].write_bytes(catalog_data.customer_photo(image_seed, n))
    return {"browse": {"paths": browse, "photo_files": []},
            "browse2": {"paths": second, "photo_files": []},
            "text": {"paths": text, "photo_files": []},
            "image": {"paths": [], "photo_files": [str(p) for p in photos]}}


def _fresh_bootstrap() -> None:
    """Forget the settings and clients an earlier stack of this process left in bootstrap."""
    from common import bootstrap, settings

    settings.current.cache_clear()
    for value in vars(bootstrap).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def _loaded(stack, work: dict[str, dict], quick: bool, say) -> dict:  # noqa: ANN001
    """The baselines and every scenario with 20 clients, then with one."""
    measured = {}
    for clients, duration in ((20, 4.0 if quick else 15.0), (1, 3.0 if quick else 8.0)):
        key = "loaded" if clients > 1 else "single"
        say(f"  baselines: {clients} client(s), {duration:g} s each")
        measured[key] = serving.drive_baselines(stack, clients, duration)
        for scenario in SCENARIOS:
            say(f"  {scenario[0]}: {clients} client(s), {duration:g} s")
            measured[key].append(drive(stack.services["http"], scenario, clients, duration,
                                       work[scenario[0]]))
    return measured


def _measure(stack, quick: bool, say) -> dict:  # noqa: ANN001
    """Seed, then every measurement against the running stack."""
    from common import bootstrap

    seeded = catalog_data.seed(bootstrap.engine(), products=10_000 if quick else 100_000,
                               vendors=300, customers=5_000 if quick else 50_000,
                               images=500 if quick else 5_000,
                               model_path=bootstrap.settings().image_model_path, say=say)
    (stack.local_dir / "photos").mkdir()
    work = workloads(stack.base_url, seeded, stack.local_dir / "photos")
    say("  in-process timings and query plans")
    measured = {"seeded": seeded, "random_page_cost": catalog_probes.random_page_cost(),
                "in_process": catalog_probes.in_process(work),
                "plans": catalog_probes.plans(work)}
    measured.update(_loaded(stack, work, quick, say))
    measured["image_hits"] = catalog_probes.image_hits(stack.base_url, work, seeded)
    say("  indexing uploads")
    measured["indexing"] = catalog_probes.indexing(stack, seeded, 3 if quick else 10)
    measured["server"] = serving.describe(stack.services["http"])
    return measured


def run(quick: bool = False, say=print) -> CatalogLatency:  # noqa: ANN001
    """Start a stack on a fresh folder, seed it, measure, discard it; then the cold starts."""
    local_dir = ROOT / ".local" / "bench" / f"catalog-{uuid.uuid4().hex[:8]}"
    saved, setup = dict(os.environ), {}
    os.environ.update(serving.BENCH_ENV)
    _fresh_bootstrap()
    say(f"  starting the local stack under gunicorn in {local_dir}")
    began = time.perf_counter()
    stack = serving.start(local_dir)
    setup["stack"] = time.perf_counter() - began
    try:
        from common import bootstrap

        model_path = bootstrap.settings().image_model_path
        measured = _measure(stack, quick, say)
    finally:
        serving.discard(stack, local_dir)
        os.environ.clear()
        os.environ.update(saved)
        _fresh_bootstrap()
    setup.update(measured["seeded"].seconds)
    say("  cold start of the image functions")
    runs = 2 if quick else 3
    return CatalogLatency(setup_s=setup, model_s=catalog_probes.model_load(model_path, runs),
                          coldstart=coldstart.run(runs=runs, say=say, only=IMAGE_FUNCTIONS),
                          **measured)


if __name__ == "__main__":
    _load_child()
