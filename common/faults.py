"""Named fault points: a test process dies at one of them as a killed instance would.

`BAZAAR_FAULT=<point>` ends the process there, before anything else runs (the response,
the relay), with EXIT_STATUS. Production refuses the setting. The points
(common/settings.FAULT_POINTS; docs/decisions/0014, "Faults", says how each recovers):
- after_commit: right after any unit of work commits (common/adapters/unit_of_work.py).
- order_after_reserve: the order and its reservation committed, no payment created yet.
- order_after_provider_payment: the payment created at the provider, not recorded by us.
- order_after_payment_recorded: the payment recorded, the purchase saga not started.
- order_after_saga_start: the saga's execution started, its name not recorded.
- webhook_after_inbox: the provider's event in the inbox, not handed to the payment.
- webhook_after_handoff: the payment updated from the event, its saga not woken.
- complete_after_commit / fail_after_commit: the saga step's decision committed, no answer.
- refund_after_provider: the money given back at the provider, the refund not marked.
"""

from __future__ import annotations

import os
import sys

from common.settings import current

EXIT_STATUS = 75  # what a killed test process exits with, so tests can tell it apart


def reached(point: str) -> None:
    """Die here if the settings arm this fault point; otherwise do nothing (without
    BAZAAR_FAULT set, not even the settings are read: use cases run against fakes too)."""
    if os.environ.get("BAZAAR_FAULT") and current().fault_point == point:
        sys.stdout.flush()
        os._exit(EXIT_STATUS)
