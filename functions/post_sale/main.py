"""Posts the sale journal of a paid order and holds each vendor's share until delivery.

Trigger: Pub/Sub push (subscription ledger-sales: order.paid). Exactly once per event id
(inbox); the journal's key `sale:{order_id}` makes a second `order.paid` change nothing.
Settings: database.
"""

import functions_framework

from common import bootstrap
from common.domain.events import OrderPaid
from common.events import consumer
from common.services.ledger_postings import post_sale as post


@functions_framework.cloud_event
@consumer("post_sale", unit_of_work=bootstrap.money_unit_of_work)
def post_sale(event: OrderPaid, tx) -> None:
    post(event, tx)
