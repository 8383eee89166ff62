"""Settles a blocked buyer's orders in play: unpaid ones cancelled (the payment voided,
the reservation released), held ones rejected, paid parts not shipped refunded through
the payment saga. Every block, not only fraud's (docs/decisions/0027-fraud-cases.md).

Trigger: Pub/Sub push (subscription orders-of-blocked-customers: account.blocked). Reads
the account's current state, not the event's: an account unblocked before the delivery
keeps its orders. Exactly once per event id (inbox); each step idempotent. Events:
order.cancelled, order.refunded (through the saga). Settings: database (role
bazaar_fraud_cases), Pub/Sub, Stripe, Workflows.
"""

import functions_framework

from common import bootstrap
from common.domain.events import AccountBlocked
from common.events import consumer
from common.services.blocked_orders import orders_to_settle, settle_orders


@functions_framework.cloud_event
@consumer("settle_orders_of_blocked_customer", unit_of_work=bootstrap.fraud_cases_unit_of_work)
def settle_orders_of_blocked_customer(event: AccountBlocked, tx) -> None:
    settle_orders(orders_to_settle(event.account_id, tx), bootstrap.settle_collaborators())
