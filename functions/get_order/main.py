"""GET /v1/orders/{order_id}: the order, its parts, payment and steps (buyer, its vendors:
their parts only, admins; 404 for anyone else).

Trigger: HTTP. Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import order_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.order_queries import visible_order


@functions_framework.http
@endpoint(OPERATIONS["get_order"])
def get_order(call: Call):
    return present.order(visible_order(call.principal, call.params["order_id"],
                                       uow=bootstrap.orders_unit_of_work))
