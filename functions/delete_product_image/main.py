"""DELETE /v1/products/{product_id}/images/{image_id}: the owning vendor deletes an image
(204; 404 for an image of another vendor's product or none). Its renditions and its Vision
Product Search reference image are removed, the product's labels recomputed.

Trigger: HTTP. Events: product.image_deleted. Settings: database, Firebase Auth, Pub/Sub,
Cloud Storage (RENDITIONS_BUCKET, UPLOAD_BUCKET), IMAGE_RECOGNITION (Vision product set).
"""

import flask
import functions_framework

from common import bootstrap
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.product_images import delete_image


@functions_framework.http
@endpoint(OPERATIONS["delete_product_image"])
def delete_product_image(call: Call):
    delete_image(call.principal, call.params["product_id"], call.params["image_id"],
                 uow=bootstrap.unit_of_work, store=bootstrap.image_store(),
                 catalog=bootstrap.product_image_catalog())
    return flask.Response(status=204)
