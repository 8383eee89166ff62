"""Finishes refunds whose payment saga died: requested and untouched for minutes, they are
executed again under their own provider key, then recorded (or failed if refused).

Trigger: HTTP, internal only, called every 5 minutes by Cloud Scheduler. Events:
order.refunded, order.cancelled. Settings: database, Pub/Sub, Stripe.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.refunding import reconcile_refunds as reconcile


@functions_framework.http
@internal
def reconcile_refunds() -> dict:
    return reconcile(uow=bootstrap.refunds_unit_of_work, payments=bootstrap.payments())
