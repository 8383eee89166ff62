"""POST /v1/orders/{order_id}:deliver: the buyer confirms shipped parts arrived.

Trigger: HTTP. Events: order.part_delivered (the vendor is then paid).
Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import money_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.fulfilment import deliver_parts


@functions_framework.http
@endpoint(OPERATIONS["deliver_order_parts"])
def deliver_order_parts(call: Call):
    order = deliver_parts(call.principal.account_id, call.params["order_id"],
                          call.body.part_id, uow=bootstrap.money_unit_of_work)
    return present.fulfilled_order(order)
