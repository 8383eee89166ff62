"""Fails pending orders whose stock reservation expired (the payment is cancelled at the
provider first; one that succeeded there completes instead).

Trigger: HTTP, internal, every minute (Cloud Scheduler). Events: order.payment_failed,
order.paid. Settings: database, Pub/Sub, STRIPE_SECRET_KEY, Workflows.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.order_reconciliation import expire_reservations as expire
from common.services.ordering import Collaborators


@functions_framework.http
@internal
def expire_reservations() -> dict:
    return expire(Collaborators(bootstrap.orders_unit_of_work, bootstrap.payments(),
                                bootstrap.workflow_executions(), bootstrap.settings()))
