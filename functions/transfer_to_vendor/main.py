"""Pays a delivered part's share (subtotal − commission − refunds) to its vendor's
connected account, or leaves it payable until that account is active.

Trigger: Pub/Sub push (subscription vendor-transfers: order.part_delivered). The share
becomes owed with the inbox row; the transfer (key `transfer-{part_id}`, source the
order's charge, transfer group the order) is made right after, and by pay_out_vendors
otherwise. Settings: database, payment provider.
"""

import functions_framework

from common import bootstrap
from common.domain.events import OrderPartDelivered
from common.events import consumer
from common.services.vendor_payouts import owe_delivered_part, pay_part


def _pay(event: OrderPartDelivered) -> None:
    pay_part(event.part_id, uow=bootstrap.money_unit_of_work, payments=bootstrap.payments())


@functions_framework.cloud_event
@consumer("transfer_to_vendor", unit_of_work=bootstrap.money_unit_of_work, then=_pay)
def transfer_to_vendor(event: OrderPartDelivered, tx) -> None:
    owe_delivered_part(event.order_id, event.part_id, tx)
