"""`python -m bench [--only NAME] [--quick]`: run, print, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    analytics_export,
    anonymizer_throughput,
    catalog_latency,
    catalog_report,
    chat_latency,
    coldstart,
    fl_quality,
    flash_sale,
    fraud_latency,
    fraud_quality,
    image_retrieval,
    latency,
    machine,
    order_placement,
    promoted_feed,
    query_image_cost,
    report,
    review_posting,
    stripe_twin,
    time_to_paid,
    workflow_steps,
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=RUNNERS,
                        help="run one benchmark (the others' sections of the doc are kept)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer processes and shorter load: a smoke run, not a baseline")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc alone")
    return parser.parse_args(argv)


def _say(text: str) -> None:
    """Progress on stderr, flushed."""
    print(text, file=sys.stderr, flush=True)


def _where(load_before: str) -> str:
    """The machine, and how busy it was around the run."""
    return f"{machine.describe()}; 1-minute load average {load_before} before the run"


def run_coldstart(quick: bool) -> str:
    """Run the cold-start benchmark; its section of the doc."""
    _say("cold start:")
    before = machine.load()
    result = coldstart.run(runs=2 if quick else 5, say=_say)
    return report.coldstart_section(result, _where(before))


def run_latency(quick: bool) -> str:
    """Run the latency benchmark; its section of the doc."""
    _say("latency:")
    before = machine.load()
    result = latency.run(duration_s=5.0 if quick else 20.0, clients=50,
                         users=20 if quick else 50, say=_say)
    return report.latency_section(result, _where(before))


def run_images(quick: bool) -> str:
    """Run the image search accuracy benchmark; its section of the doc."""
    _say("image search:")
    before = machine.load()
    result = image_retrieval.run(quick=quick, say=_say)
    return image_retrieval.section(result, _where(before))


def run_catalog(quick: bool) -> str:
    """Run the catalog latency benchmark (seeded catalog, image functions' cold start)."""
    _say("catalog latency:")
    before = machine.load()
    result = catalog_latency.run(quick=quick, say=_say)
    return catalog_report.section(result, _where(before))


def run_query_images(quick: bool) -> str:
    """Run the query image cost benchmark (memory and CPU of decoding a search photo)."""
    _say("query image cost:")
    before = machine.load()
    result = query_image_cost.run(quick=quick, say=_say)
    return query_image_cost.section(result, _where(before))


def run_stripe_twin(quick: bool) -> str:
    """Run the Stripe twin's per-call latency benchmark against a bare HTTP round trip."""
    _say("stripe twin:")
    before = machine.load()
    result = stripe_twin.run(times=50 if quick else 300, say=_say)
    return stripe_twin.section(result, _where(before))


def run_workflow_steps(quick: bool) -> str:
    """Run the Workflows stand-in's per-step overhead benchmark against bare HTTP."""
    _say("workflow steps:")
    before = machine.load()
    result = workflow_steps.run(quick=quick, say=_say)
    return workflow_steps.section(result, _where(before))


def run_orders(quick: bool) -> str:
    """Run order placement under 50 concurrent buyers against the bare function."""
    _say("order placement:")
    before = machine.load()
    result = order_placement.run(duration_s=5.0 if quick else 20.0, clients=50, say=_say)
    return order_placement.section(result, _where(before))


def run_flash_sale(quick: bool) -> str:
    """Run the flash sale: 1,000 buyers for 100 units (200 for 20 when quick)."""
    _say("flash sale:")
    before = machine.load()
    result = flash_sale.run(buyers=200 if quick else 1000, units=20 if quick else 100,
                            say=_say)
    return flash_sale.section(result, _where(before))


def run_time_to_paid(quick: bool) -> str:
    """Run the time from POST /v1/orders to paid, step by step."""
    _say("time to paid:")
    before = machine.load()
    result = time_to_paid.run(orders=10 if quick else 30, say=_say)
    return time_to_paid.section(result, _where(before))


def run_review_posting(quick: bool) -> str:
    """Run review posting with 50 concurrent reviewers on one product (a hot summary row)."""
    _say("review posting:")
    before = machine.load()
    result = review_posting.run(duration_s=4.0 if quick else 15.0, clients=50, say=_say)
    return review_posting.section(result, _where(before))


def run_chat_latency(quick: bool) -> str:
    """Run chat message post → Firestore listener latency over 20 listening rooms."""
    _say("chat latency:")
    before = machine.load()
    result = chat_latency.run(rooms=20, duration_s=6.0 if quick else 30.0, say=_say)
    return chat_latency.section(result, _where(before))


def run_fl_quality(quick: bool) -> str:
    """Run federated learning quality: popularity, central MF, federated ± noise, ε."""
    _say("federated learning quality:")
    before = machine.load()
    result = fl_quality.run(quick=quick, say=_say)
    return fl_quality.section(result, _where(before))


def run_promoted_feed(quick: bool) -> str:
    """Run the promoted feed at 20 concurrent users over 10,000 active promotions."""
    _say("promoted feed:")
    before = machine.load()
    result = promoted_feed.run(duration_s=5.0 if quick else 15.0, clients=20,
                               trials=5 if quick else 20, say=_say)
    return promoted_feed.section(result, _where(before))


def run_fraud_quality(quick: bool) -> str:
    """Run the fraud model's quality on the held-out period: rules alone and the model."""
    _say("fraud model quality:")
    before = machine.load()
    return fraud_quality.section(fraud_quality.run(quick=quick, say=_say), _where(before))


def _edge_section(title: str, module: object, quick: bool) -> str:
    """A section of a benchmark whose module documents its method and returns its table."""
    before = machine.load()
    body = module.run(quick)  # type: ignore[attr-defined]
    method = (module.__doc__ or "").strip()
    return f"## {title}\n\nMeasured {_where(before)}.\n\n{method}\n\n{body}"


def run_fraud_latency(quick: bool) -> str:
    """Run the fraud decision's latency in process and over local HTTP at 50 callers."""
    _say("fraud decision latency:")
    return _edge_section("Fraud decision latency", fraud_latency, quick)


def run_anonymizer(quick: bool) -> str:
    """Run the anonymizer's throughput per 1,000 events, in process and over HTTP."""
    _say("anonymizer throughput:")
    return _edge_section("Anonymizer throughput", anonymizer_throughput, quick)


def run_analytics_export(quick: bool) -> str:
    """Run the k-anonymous export over a generated population: k, l, suppression."""
    _say("k-anonymous exports:")
    before = machine.load()
    method = (analytics_export.__doc__ or "").strip()
    return (f"## k-anonymous exports\n\nMeasured {_where(before)}.\n\n{method}\n\n"
            f"{analytics_export.report(quick)}")


RUNNERS = {"coldstart": run_coldstart, "latency": run_latency, "images": run_images,
           "catalog": run_catalog, "query_images": run_query_images,
           "stripe_twin": run_stripe_twin, "workflow_steps": run_workflow_steps,
           "orders": run_orders, "flash_sale": run_flash_sale, "time_to_paid": run_time_to_paid,
           "review_posting": run_review_posting, "chat_latency": run_chat_latency,
           "fl_quality": run_fl_quality, "promoted_feed": run_promoted_feed,
           "fraud_quality": run_fraud_quality, "fraud_latency": run_fraud_latency,
           "anonymizer": run_anonymizer, "analytics_export": run_analytics_export}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print their sections, and rewrite the doc."""
    args = _arguments(argv)
    sections = {name: run(args.quick) for name, run in RUNNERS.items()
                if args.only in (None, name)}
    for text in sections.values():
        print(text + "\n", flush=True)
    if not args.no_doc:
        _say(f"wrote {report.write_doc(sections)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
