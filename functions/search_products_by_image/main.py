"""POST /v1/products:searchByImage: multipart `image` → labels seen in it and the visually
closest listed products with a score.

Trigger: HTTP. Settings: database, IMAGE_RECOGNITION (local model or Cloud Vision).
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.product_search import search_by_image


@functions_framework.http
@endpoint(OPERATIONS["search_products_by_image"])
def search_products_by_image(call: Call):
    labels, scored = search_by_image(call.body, recognizer=bootstrap.image_recognizer(),
                                     similar=bootstrap.similar_products(),
                                     queries=bootstrap.product_queries())
    return present.image_search(labels, scored, bootstrap.settings().media_base_url)
