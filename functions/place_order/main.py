"""POST /v1/orders: a verified customer places an order (Idempotency-Key required).

Trigger: HTTP. Events: order.placed (and order.payment_failed on a decline), fraud.case_opened
(an order held for review, or refused: 403 fraud_rejected). Settings: database, Firebase
Auth, Pub/Sub, STRIPE_SECRET_KEY, Workflows, RESERVATION_TTL_*_S, PURCHASE_CALLBACK_TIMEOUT_*_S,
COMMISSION_*_BP, BANK_TRANSFER_COUNTRY, FRAUD_URL, FRAUD_BUDGET_MS, FRAUD_ON_FAILURE,
FRAUD_REVIEW_MAX_S.
"""

import flask
import functions_framework

from common import bootstrap
from common.api import order_presenters as present
from common.api.operations import OPERATIONS
from common.domain.orders import OrderItem, OrderStatus
from common.http import Call, endpoint, idempotency_of, json_response
from common.http_caller import client_ip, client_region, device_id
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
        return_url=getattr(body.payment, "return_url", None),
        device_id=device_id(flask.request), ip=client_ip(flask.request),
        client_country=client_region(flask.request))
    placed = place(call.principal, request, Collaborators(
        bootstrap.orders_unit_of_work, bootstrap.payments(), bootstrap.workflow_executions(),
        bootstrap.settings(), bootstrap.fraud_screening()))
    # A new order is accepted (202) even when its webhook already settled it before this
    # answer; a replay says 200 once the order no longer waits.
    waiting = placed.order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW
                                      ) or not placed.replayed
    response = json_response(present.order(placed.order), 202 if waiting else 200)
    if placed.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
