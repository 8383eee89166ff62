"""POST /v1/orders/{order_id}:refund: an admin or the vendor refunds lines of an order.

Trigger: HTTP (Idempotency-Key accepted). Events: order.refunded, once the payment saga
refunded it. Settings: database, Firebase Auth, Pub/Sub, Workflows.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import refund_schemas as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.refunding import request_refund


@functions_framework.http
@endpoint(OPERATIONS["refund_order"])
def refund_order(call: Call):
    refund = request_refund(call.principal, call.params["order_id"], call.body.line_requests(),
                            call.body.reason, flask.request.headers.get("Idempotency-Key"),
                            uow=bootstrap.refunds_unit_of_work,
                            sagas=bootstrap.workflow_executions())
    return present.refund(refund)
