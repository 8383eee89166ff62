"""POST /v1/orders/{order_id}:cancel: the buyer cancels before anything shipped (an order
held for a fraud review too: its authorization is voided).

Trigger: HTTP. Events: order.cancelled for a paid order, by the payment saga once refunded
(an unpaid one's comes from the purchase side's decision, fail_order). Settings: database,
Firebase Auth, Pub/Sub, Stripe, Workflows.
"""

import functions_framework

from common import bootstrap
from common.api import refund_schemas as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.cancellation import cancel_order as cancel


@functions_framework.http
@endpoint(OPERATIONS["cancel_order"])
def cancel_order(call: Call):
    done = cancel(call.principal, call.params["order_id"],
                  uow=bootstrap.refunds_unit_of_work,
                  orders_uow=bootstrap.orders_unit_of_work, payments=bootstrap.payments(),
                  sagas=bootstrap.workflow_executions(), settings=bootstrap.settings())
    return present.cancelled_order(done.order_id, done.status, done.refund)
