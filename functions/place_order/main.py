"""POST /v1/orders: a verified customer places an order (Idempotency-Key required).

Trigger: HTTP. Events: order.placed (and order.payment_failed on a decline). Settings:
database, Firebase Auth, Pub/Sub, STRIPE_SECRET_KEY, Workflows, RESERVATION_TTL_*_S,
PURCHASE_CALLBACK_TIMEOUT_*_S, COMMISSION_*_BP, BANK_TRANSFER_COUNTRY.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import order_presenters as present
from common.api.operations import OPERATIONS
from common.domain.orders import OrderItem, OrderStatus
from common.http import Call, endpoint, idempotency_of, json_response
from common.services.ordering import Collaborators, OrderRequest
from common.services.ordering import place_order as place


@functions_framework.http
@endpoint(OPERATIONS["place_order"])
def place_order(call: Call):
    body = call.body
    key, digest = idempotency_of(flask.request)
    request = OrderRequest(
        items=tuple(OrderItem(i.product_id, i.quantity, i.expected_unit_price.amount
                              if i.expected_unit_price else None) for i in body.items),
        method=body.payment.method,
        shipping_address=body.shipping_address.model_dump(exclude_none=True),
        idempotency_key=key, request_hash=digest,
        payment_method_token=getattr(body.payment, "payment_method", None),
        return_url=getattr(body.payment, "return_url", None))
    placed = place(call.principal, request, Collaborators(
        bootstrap.orders_unit_of_work, bootstrap.payments(), bootstrap.workflow_executions(),
        bootstrap.settings()))
    # A new order is accepted (202) even when its webhook already settled it before this
    # answer; a replay says 200 once the order no longer waits.
    waiting = placed.order.status is OrderStatus.PENDING_PAYMENT or not placed.replayed
    response = json_response(present.order(placed.order), 202 if waiting else 200)
    if placed.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
