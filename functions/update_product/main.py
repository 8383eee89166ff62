"""PATCH /v1/products/{product_id}: the owning vendor edits a product, or lists it again.

Trigger: HTTP. Events: product.updated. Settings: database, Firebase Auth, Pub/Sub.
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.catalog_schemas import product_fields
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.catalog import update_product as update


@functions_framework.http
@endpoint(OPERATIONS["update_product"])
def update_product(call: Call):
    product = update(call.principal, call.params["product_id"], product_fields(call.body),
                     uow=bootstrap.unit_of_work)
    return present.product(product, bootstrap.settings().media_base_url)
