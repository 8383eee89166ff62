"""Activates the scheduled promotions whose start passed and ends the ones whose end passed
(common.clock's "now"); one whose product was unlisted or whose vendor was blocked meanwhile
ends at once, its unused whole days refunded.

Trigger: HTTP, internal, every minute (Cloud Scheduler). Events: promotion.activated,
promotion.ended. Settings: database (role bazaar_promotions), Pub/Sub, STRIPE_SECRET_KEY
(card refunds owed), BAZAAR_CLOCK_OFFSET_FILE (local and tests only).
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.promotion_lifecycle import advance_promotions as advance


@functions_framework.http
@internal
def advance_promotions() -> dict:
    return advance(bootstrap.promotion_lifecycle_unit_of_work, bootstrap.payments())
