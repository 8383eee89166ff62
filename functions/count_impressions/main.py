"""Counts one impression per promotion of each promoted-feed page served.

Trigger: Pub/Sub push (subscription feed-impressions: feed.served). Exactly once per event
id (inbox): the increment commits with the inbox row. Settings: database (role bazaar_feed).
"""

import functions_framework

from common import bootstrap
from common.domain.events import FeedServed
from common.events import consumer
from common.services.promoted_feed import count_impressions as count


@functions_framework.cloud_event
@consumer("count_impressions", unit_of_work=bootstrap.feed_unit_of_work)
def count_impressions(event: FeedServed, tx) -> None:
    count(event, tx.counters)
