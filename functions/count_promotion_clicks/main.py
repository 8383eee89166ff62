"""Counts the clicks of an interaction batch on products during their active promotion.

Trigger: Pub/Sub push (subscription promotion-clicks: interactions.received). Exactly once
per batch id (inbox): the increments commit with the inbox row; a click counts for the
promotion that was running at its time. Settings: database (role bazaar_feed).
"""

import functions_framework

from common import bootstrap
from common.domain.events import InteractionsReceived
from common.events import consumer
from common.services.promoted_feed import count_clicks


@functions_framework.cloud_event
@consumer("count_promotion_clicks", unit_of_work=bootstrap.feed_unit_of_work)
def count_promotion_clicks(event: InteractionsReceived, tx) -> None:
    count_clicks(event, tx.counters)
