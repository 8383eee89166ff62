"""GET /v1/vendors/me/balance: the vendor's sales, commission, refunds, transferred and
payable, each a sum over its ledger accounts.

Trigger: HTTP. Settings: database, Firebase Auth.
"""

import functions_framework

from common import bootstrap
from common.api import money_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.vendor_balances import balance_of


@functions_framework.http
@endpoint(OPERATIONS["get_vendor_balance"])
def get_vendor_balance(call: Call):
    return present.balance(balance_of(call.principal.account_id,
                                      uow=bootstrap.money_unit_of_work))
