"""Ends the scheduled and active promotions of a blocked vendor, at once, their unused whole
days refunded where the fee came from.

Trigger: Pub/Sub push (subscription promotions-of-blocked-vendors: account.blocked). Reads
the account's current state under its row lock, not the event's: an account unblocked
before the delivery keeps its promotions. Exactly once per event id (inbox). Events:
promotion.ended; then the card refunds it recorded are made at the provider (a failure:
advance_promotions retries). Settings: database (role bazaar_promotions), Pub/Sub,
STRIPE_SECRET_KEY.
"""

import functions_framework

from common import bootstrap
from common.domain.events import AccountBlocked
from common.events import consumer
from common.services.promotion_lifecycle import end_promotions_of_vendor, make_card_refunds


@functions_framework.cloud_event
@consumer("end_promotions_of_blocked_vendor",
          unit_of_work=bootstrap.promotion_lifecycle_unit_of_work,
          then=lambda _: make_card_refunds(bootstrap.promotion_lifecycle_unit_of_work,
                                           bootstrap.payments()))
def end_promotions_of_blocked_vendor(event: AccountBlocked, tx) -> None:
    end_promotions_of_vendor(event.account_id, tx)
