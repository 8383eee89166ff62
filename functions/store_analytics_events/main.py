"""Stores the anonymized events of the edge anonymizers in analytics_events: analytics.event
(one row) and interactions.received (a row per interaction).

Trigger: Pub/Sub push (subscriptions analytics-store: analytics.event, interaction-analytics:
interactions.received). Exactly once per event id (inbox, and row ids derived from it).
Emits nothing. Settings: database (role bazaar_analytics).
"""

import functions_framework

from common import bootstrap, clock
from common.domain.events import AnalyticsEventReceived, InteractionsReceived
from common.events import consumer
from common.services.analytics_events import store_analytics_events as store


@functions_framework.cloud_event
@consumer("store_analytics_events", unit_of_work=bootstrap.analytics_unit_of_work)
def store_analytics_events(event: AnalyticsEventReceived | InteractionsReceived, tx) -> None:
    store(event, store=tx.analytics, now=clock.now())
