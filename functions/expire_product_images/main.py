"""Expires product images whose upload never came (URL lifetime plus a grace) or whose
indexing was abandoned, so they stop counting toward a product's 10 images; then removes the
files of expired and deleted images still outside the database (a late upload, renditions,
the Vision Product Search reference image).

Trigger: HTTP, internal only, called every 5 minutes by Cloud Scheduler.
Settings: database, Cloud Storage, IMAGE_RECOGNITION (Vision product set).
"""

import functions_framework

from common import bootstrap
from common.http import internal
from common.services.product_images import expire_images


@functions_framework.http
@internal
def expire_product_images() -> dict:
    return expire_images(uow=bootstrap.unit_of_work, store=bootstrap.image_store(),
                         catalog=bootstrap.product_image_catalog())
