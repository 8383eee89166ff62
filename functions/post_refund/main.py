"""Posts a refund's journal (commission returned pro rata) and takes back, at the provider,
the vendor's share of a transfer already made.

Trigger: Pub/Sub push (subscription ledger-refunds: order.refunded, order.cancelled).
The journal and the reversals owed commit with the inbox row; the reversals (key
`reversal-{refund_id}-{part_id}`) are made right after, and by pay_out_vendors if this
process dies first. Settings: database, payment provider.
"""

import functions_framework

from common import bootstrap
from common.domain.events import OrderCancelled, OrderRefunded
from common.events import consumer
from common.services.ledger_postings import post_refund as post
from common.services.vendor_payouts import settle_parts


def _reverse_transfers(event: OrderRefunded | OrderCancelled) -> None:
    settle_parts(sorted({part.part_id for part in event.parts}),
                 uow=bootstrap.money_unit_of_work, payments=bootstrap.payments())


@functions_framework.cloud_event
@consumer("post_refund", unit_of_work=bootstrap.money_unit_of_work, then=_reverse_transfers)
def post_refund(event: OrderRefunded | OrderCancelled, tx) -> None:
    post(event, tx)
