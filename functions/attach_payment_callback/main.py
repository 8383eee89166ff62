"""The purchase saga's first step: keep its callback URL on the order's payment and say
whether the provider's outcome is already known (then the saga does not wait).

Trigger: HTTP, internal (workflows/purchase.yaml). Input: {order_id, callback_url,
execution_id, timeout_s}. Output: {outcome: succeeded|failed|settled|superseded|null,
status, wait_s}. Settings: database.
"""

import functions_framework

from common import bootstrap
from common.http import saga_step
from common.services.purchase_saga import attach_payment_callback as attach


@functions_framework.http
@saga_step
def attach_payment_callback(body: dict) -> dict:
    return attach(str(body["order_id"]), str(body["callback_url"]),
                  str(body["execution_id"]), int(body["timeout_s"]),
                  uow=bootstrap.orders_unit_of_work)
