"""Validates and indexes an uploaded product image: the bytes must be the JPEG, PNG or
WebP declared; then metadata-free WebP renditions, labels, embedding, and the image is ready.

Trigger: the upload bucket's OBJECT_FINALIZE notification on topic gcs-object-events
(Eventarc in production, the Pub/Sub stand-in locally). A delivery that finds the image
claimed by another run fails (IndexingDeferred), so Pub/Sub delivers it again later.
Events: product.image_indexed, product.image_rejected. Settings: database, Cloud Storage,
IMAGE_RECOGNITION, Pub/Sub.
"""

import logging

import functions_framework

from common import bootstrap
from common.events import object_event
from common.logs import log
from common.services.product_images import index_uploaded_image

logger = logging.getLogger(__name__)


@functions_framework.cloud_event
def index_product_image(cloud_event) -> None:
    settings = bootstrap.settings()
    uploaded = object_event(cloud_event, bucket=settings.upload_bucket)
    if uploaded is None:
        return
    outcome = index_uploaded_image(
        uploaded, uow=bootstrap.unit_of_work, store=bootstrap.image_store(),
        recognizer=bootstrap.image_recognizer(), catalog=bootstrap.product_image_catalog())
    log(logger, logging.INFO, "image upload handled", object=uploaded.name, outcome=outcome)
