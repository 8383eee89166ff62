"""The purchase saga's compensation: cancel the payment at the provider (key
order-{id}-cancel), release the reservation exactly once, order payment_failed and
order.payment_failed; if the provider says the payment succeeded, the order completes.

Trigger: HTTP, internal (workflows/purchase.yaml). Input: {order_id, reason}. Output:
{status}. Events: order.payment_failed (or order.paid). Settings: database, Pub/Sub,
STRIPE_SECRET_KEY.
"""

import functions_framework

from common import bootstrap
from common.http import saga_step
from common.services.purchase_saga import fail_order as fail

REASONS = ("payment_failed", "payment_timeout", "saga_failed")


@functions_framework.http
@saga_step
def fail_order(body: dict) -> dict:
    reason = body.get("reason") if body.get("reason") in REASONS else "saga_failed"
    order = fail(str(body["order_id"]), str(reason), uow=bootstrap.orders_unit_of_work,
                 payments=bootstrap.payments())
    return {"status": order.status.value}
