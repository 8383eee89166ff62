"""Follows vendors' connected accounts (the provider's account.updated events, and accounts
that money waits for), pays what is owed to active ones, makes owed reversals, and retries
attempts a crash interrupted (same key, same amount).

Trigger: HTTP, internal only, called every 5 minutes by Cloud Scheduler.
Events: vendor.payment_account_updated. Settings: database, payment provider.
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.vendor_payouts import pay_out_vendors as pay_out


@functions_framework.http
@internal
def pay_out_vendors() -> dict:
    return pay_out(uow=bootstrap.money_unit_of_work, payments=bootstrap.payments())
