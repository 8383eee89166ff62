"""GET /v1/products/{product_id}: a listed product with its images (status, labels,
rendition URLs), rating summary and vendor; publicly cached with an ETag.

Trigger: HTTP. Settings: database, MEDIA_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.catalog import public_product


@functions_framework.http
@endpoint(OPERATIONS["get_product"])
def get_product(call: Call):
    product = public_product(call.params["product_id"], uow=bootstrap.unit_of_work)
    return present.product(product, bootstrap.settings().media_base_url)
