"""The one place an order becomes paid: pending_payment → paid, reservation committed,
order.paid (a second call answers the order as it is; 409 if the payment has not succeeded).

Trigger: HTTP, internal (workflows/purchase.yaml). Input: {order_id}. Output: {status}.
Events: order.paid. Settings: database, Pub/Sub, STRIPE_SECRET_KEY.
"""

import functions_framework

from common import bootstrap
from common.http import saga_step
from common.services.purchase_saga import complete_order as complete


@functions_framework.http
@saga_step
def complete_order(body: dict) -> dict:
    order = complete(str(body["order_id"]), uow=bootstrap.orders_unit_of_work,
                     payments=bootstrap.payments())
    return {"status": order.status.value}
