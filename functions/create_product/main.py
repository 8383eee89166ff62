"""POST /v1/products: a verified vendor lists a product (403 vendor_not_verified otherwise).

Trigger: HTTP. Events: product.listed. Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.catalog_schemas import product_fields
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.catalog import list_product


@functions_framework.http
@endpoint(OPERATIONS["create_product"])
def create_product(call: Call):
    product = list_product(call.principal, product_fields(call.body),
                           uow=bootstrap.unit_of_work)
    return present.product(product, bootstrap.settings().media_base_url)
