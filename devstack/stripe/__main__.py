"""python -m devstack.stripe --port P --data-dir D [--webhook-url U] [--time-scale S]
[--duplicate-delivery]."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from devstack.stripe.server import start_stripe


def main() -> None:
    """Start the twin, print its address and test keys as one JSON line, serve until SIGTERM.

    --time-scale defaults to BAZAAR_TIME_SCALE (devstack/time_scale.py), 1 when unset.
    """
    parser = argparse.ArgumentParser(prog="python -m devstack.stripe")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--webhook-url")
    parser.add_argument("--time-scale", type=float, default=None)
    parser.add_argument("--duplicate-delivery", action="store_true",
                        help="deliver every webhook twice and out of order")
    args = parser.parse_args()
    twin = start_stripe(args.data_dir, args.port, webhook_url=args.webhook_url,
                        time_scale=args.time_scale, duplicate_delivery=args.duplicate_delivery)
    print(json.dumps({"url": twin.base_url, "secret_key": twin.secret_key,
                      "publishable_key": twin.publishable_key,
                      "webhook_secret": twin.webhook_secret}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    twin.stop()


if __name__ == "__main__":
    main()
