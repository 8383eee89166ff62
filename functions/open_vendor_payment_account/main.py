"""Opens a verified vendor's connected account at the payment provider, exactly once.

Trigger: Pub/Sub push (subscription vendor-payment-accounts: vendor.verified). The
provider call's key `account-{vendor_id}` and the table's primary key make a redelivery
or a second verification open nothing more. Events: vendor.payment_account_updated.
Settings: database, payment provider.
"""

import functions_framework

from common import bootstrap
from common.domain.events import VendorVerified
from common.events import consumer
from common.services.vendor_payouts import open_payment_account


@functions_framework.cloud_event
@consumer("open_vendor_payment_account", unit_of_work=bootstrap.money_unit_of_work)
def open_vendor_payment_account(event: VendorVerified, tx) -> None:
    open_payment_account(event.vendor_id, tx, payments=bootstrap.payments())
