"""Counts a paid order's products as the buyer's purchases in its preference features:
weight 8 for their categories, vendors and price bands, and their ids in `bought`.

Trigger: Pub/Sub push (subscription purchase-features: order.paid). Exactly once per event
id (inbox). Settings: database (role bazaar_interactions: the order's lines, the products'
facts), PSEUDONYM_KEYS_<ZONE> (the buyer is keyed by the pseudonym of their zone, the one the
edge anonymizer gives their interactions: order.paid carries the zone of the shipping country).
"""

import functions_framework

from common import bootstrap
from common.domain.events import OrderPaid
from common.events import consumer
from common.services.interactions import is_stale
from common.services.interactions import record_purchase_features as record


@functions_framework.cloud_event
@consumer("record_purchase_features", unit_of_work=bootstrap.preferences_unit_of_work,
          is_stale=is_stale)
def record_purchase_features(event: OrderPaid, tx) -> None:
    settings = bootstrap.settings()
    record(event, tx, key=settings.zone_keys(event.zone or settings.residency_zone)[0])
