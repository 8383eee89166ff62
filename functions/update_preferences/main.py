"""Folds a batch of interactions into its pseudonym's preference features (user_features);
a signed-in batch that names a device merges that device's features into the account's,
once per pair (device_links).

Trigger: Pub/Sub push (subscription interaction-features: interactions.received). Exactly
once per batch id (inbox); batches older than two days (real time) are dropped. Settings:
database (role bazaar_interactions).
"""

import functions_framework

from common import bootstrap
from common.domain.events import InteractionsReceived
from common.events import consumer
from common.services.interactions import is_stale
from common.services.interactions import update_preferences as update


@functions_framework.cloud_event
@consumer("update_preferences", unit_of_work=bootstrap.preferences_unit_of_work,
          is_stale=is_stale)
def update_preferences(event: InteractionsReceived, tx) -> None:
    update(event, tx)
