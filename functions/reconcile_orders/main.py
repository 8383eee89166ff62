"""Finishes pending orders whose purchase saga ended, vanished or never started: from the
provider's state (paid, failed) or by starting a new execution while the payment waits.

Trigger: HTTP, internal, every 5 minutes (Cloud Scheduler). Events: order.paid,
order.payment_failed. Settings: database, Pub/Sub, STRIPE_SECRET_KEY, Workflows.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.order_reconciliation import reconcile_orders as reconcile
from common.services.ordering import Collaborators


@functions_framework.http
@internal
def reconcile_orders() -> dict:
    return reconcile(Collaborators(bootstrap.orders_unit_of_work, bootstrap.payments(),
                                   bootstrap.workflow_executions(), bootstrap.settings()))
