"""`nox -s dev`: run the whole marketplace locally until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time
from pathlib import Path

from common.settings import LOCAL_DEMO_PASSWORD
from devstack.scheduler import describe
from devstack.stack import HOST, ROOT_LOCAL, SERVERS, Ports, start_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="HTTP port of the API")
    parser.add_argument("--local-dir", type=Path, default=ROOT_LOCAL / "dev")
    # werkzeug by default: gunicorn's workers each load every function, which added
    # 0.6–1.6 s to the start on 2 cores (docs/benchmarks.md, observations).
    parser.add_argument("--server", choices=SERVERS, default="werkzeug",
                        help="werkzeug (in this process) or gunicorn (as Cloud Functions "
                             "serves each function)")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not run the scheduled functions on their schedules "
                             "(stack.services['scheduler'].trigger(name) still runs one)")
    args = parser.parse_args()
    os.environ.setdefault("BAZAAR_DEMO_DATA", "1")
    began = time.perf_counter()
    ports = Ports(http=args.port)
    stack = start_stack(args.local_dir, ports, duplicate_delivery=os.environ.get(
        "BAZAAR_PUBSUB_DUPLICATE_DELIVERY") == "1", server=args.server,
        scheduler=not args.no_scheduler)
    try:
        if os.environ["BAZAAR_DEMO_DATA"] == "1":
            from devstack.demo_catalog import load_demo_catalog
            from devstack.demo_data import load_demo_data

            began_demo = time.perf_counter()
            from devstack.demo_orders import load_demo_orders

            accounts = load_demo_data()
            load_demo_catalog(accounts)
            load_demo_orders(accounts)
            stack.services["auth"].export()  # type: ignore[attr-defined]
            stack.timings["demo data"] = time.perf_counter() - began_demo
        _announce(stack, time.perf_counter() - began)
        stopped = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        stopped.wait()
        print("\nStopping…", flush=True)
    finally:
        stack.stop()


def _announce(stack, elapsed_s: float) -> None:  # noqa: ANN001
    p, base = stack.ports, stack.base_url
    password = os.environ.get("BAZAAR_DEMO_PASSWORD", LOCAL_DEMO_PASSWORD)
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stack.timings.items())
    stripe, scheduler = stack.services["stripe"], stack.services["scheduler"]
    keys = f"{stripe.secret_key}  {stripe.publishable_key}  {stripe.webhook_secret}"
    jobs = "\n".join(f"    {line}" for line in describe(scheduler))
    workers = [stack.services[name] for name in stack.edge_ports if name in stack.services]
    edge = "\n".join(f"    {w.service.name:<11} {w.url}   log {w.log_path}"
                     for w in workers) or "    (none)"
    ticking = (f"on their schedules, time scale {scheduler.clock.scale:g}" if scheduler.ticking
               else "only when triggered (--no-scheduler)")
    print(f"""
Bazaar is running (started in {elapsed_s:.1f} s: {timings}; data under {stack.local_dir}):
  API (all functions)     {base}   docs {base}/docs   OpenAPI {base}/openapi.json
  Mail sink (SMTP :{p.smtp})  {base}/_dev/mail   (click verification links here)
  PostgreSQL              embedded, unix socket under {stack.local_dir}/postgres
  Firebase Auth emulator  http://{HOST}:{p.auth}
  Pub/Sub stand-in        {HOST}:{p.pubsub} (pushes to {base}/_events/<function>)
  Cloud Storage           fake-gcs-server http://{HOST}:{p.gcs}
  Firestore emulator      {HOST}:{p.firestore} (Google's; rules from firestore.rules)
  Stripe twin             {stripe.base_url}  {keys}
  Workflows stand-in      {stack.services["workflows"].banner}
  Cloud Scheduler (local) POSTs {base}/_internal/<job>, {ticking}:
{jobs}
  Edge workers (Cloud Run) their routes proxied by {base}, own venvs under .local/edge-venvs:
{edge}
Demo accounts (password {password!r}, the setting BAZAAR_DEMO_PASSWORD): admin@, vendor1@,
  vendor2@ (verified vendors), vendor3@ (pending), customer1@, customer2@ — all @bazaar.example
Press Ctrl-C to stop everything.
""", flush=True)


if __name__ == "__main__":
    main()
