"""Fails pending orders whose stock reservation expired (the payment is cancelled at the
provider first; one that succeeded there completes instead), and rejects the orders held for
a fraud review past FRAUD_REVIEW_MAX_S (their card authorization voided, stock released).

Trigger: HTTP, internal, every minute (Cloud Scheduler). Events: order.payment_failed,
order.paid, order.cancelled. Settings: database, Pub/Sub, STRIPE_SECRET_KEY, Workflows,
FRAUD_REVIEW_MAX_S.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.order_reconciliation import expire_reservations as expire
from common.services.order_review import expire_reviews
from common.services.ordering import Collaborators


@functions_framework.http
@internal
def expire_reservations() -> dict:
    deps = Collaborators(bootstrap.orders_unit_of_work, bootstrap.payments(),
                         bootstrap.workflow_executions(), bootstrap.settings())
    return {**expire(deps), **expire_reviews(deps)}
