"""DELETE /v1/products/{product_id}: the owning vendor unlists a product (204).

Trigger: HTTP. Events: product.unlisted. Settings: database, Firebase Auth, Pub/Sub.
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.catalog import unlist_product as unlist


@functions_framework.http
@endpoint(OPERATIONS["unlist_product"])
def unlist_product(call: Call):
    unlist(call.principal, call.params["product_id"], uow=bootstrap.unit_of_work)
    return flask.Response(status=204)
