"""Ends the scheduled and active promotions of a product that was unlisted, at once, its
unused whole days refunded where the fee came from (so the feed stops showing it).

Trigger: Pub/Sub push (subscription promotions-of-unlisted-products: product.unlisted).
Exactly once per event id (inbox); the promotions are locked, so a cancel or the minute job
running meanwhile takes turns with it. Events: promotion.ended; then the card refunds it
recorded are made at the provider (a failure: advance_promotions retries). Settings:
database (role bazaar_promotions), Pub/Sub, STRIPE_SECRET_KEY.
"""

import functions_framework

from common import bootstrap
from common.domain.events import ProductUnlisted
from common.events import consumer
from common.services.promotion_lifecycle import end_promotions_of_product, make_card_refunds


@functions_framework.cloud_event
@consumer("end_promotions_of_unlisted_product",
          unit_of_work=bootstrap.promotion_lifecycle_unit_of_work,
          then=lambda _: make_card_refunds(bootstrap.promotion_lifecycle_unit_of_work,
                                           bootstrap.payments()))
def end_promotions_of_unlisted_product(event: ProductUnlisted, tx) -> None:
    end_promotions_of_product(event.product_id, tx)
