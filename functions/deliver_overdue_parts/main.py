"""The delivery timeout: marks delivered the parts shipped AUTO_DELIVERY_DAYS ago that the
buyer has not confirmed, so their vendors are paid.

Trigger: HTTP, internal only, called every hour by Cloud Scheduler.
Events: order.part_delivered. Settings: database, AUTO_DELIVERY_DAYS.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.fulfilment import deliver_overdue_parts as deliver_overdue


@functions_framework.http
@internal
def deliver_overdue_parts() -> dict:
    return deliver_overdue(uow=bootstrap.money_unit_of_work,
                           auto_delivery_days=bootstrap.settings().auto_delivery_days)
