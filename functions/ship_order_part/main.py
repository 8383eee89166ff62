"""POST /v1/orders/{order_id}:ship: the vendor marks its part of a paid order shipped.

Trigger: HTTP. Events: order.part_shipped. Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import money_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.fulfilment import ship_part


@functions_framework.http
@endpoint(OPERATIONS["ship_order_part"])
def ship_order_part(call: Call):
    order, part = ship_part(call.principal.account_id, call.params["order_id"],
                            call.body.tracking, uow=bootstrap.money_unit_of_work)
    return present.fulfilled_order(order, vendor_id=part.vendor_id)
