"""GET /v1/orders: orders newest first — the buyer's, a vendor's (its parts), all (admin).

Trigger: HTTP. Settings: database, Firebase Auth, PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import order_presenters as present
from common.api.operations import OPERATIONS
from common.api.order_schemas import OrderPage
from common.http import Call, endpoint
from common.services.order_queries import order_page


@functions_framework.http
@endpoint(OPERATIONS["list_orders"])
def list_orders(call: Call):
    orders, next_token = order_page(
        call.principal, call.query.page_size, call.query.page_token,
        uow=bootstrap.orders_unit_of_work,
        token_key=bootstrap.settings().page_token_signing_key())
    return OrderPage(items=[present.order(o) for o in orders], next_page_token=next_token)
