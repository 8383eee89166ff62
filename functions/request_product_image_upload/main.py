"""POST /v1/products/{product_id}/images: a V4 signed PUT URL for one image of this
content type and exact size; the upload bucket's finalize event then indexes it.

Trigger: HTTP. Settings: database, Firebase Auth, Cloud Storage (UPLOAD_BUCKET, signing).
"""

import functions_framework

from common import bootstrap
from common.api import catalog_schemas as cs
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.product_images import request_image_upload


@functions_framework.http
@endpoint(OPERATIONS["request_product_image_upload"])
def request_product_image_upload(call: Call):
    ticket = request_image_upload(call.principal, call.params["product_id"],
                                  call.body.content_type, call.body.size,
                                  uow=bootstrap.unit_of_work, store=bootstrap.image_store())
    return cs.ImageUpload(image_id=ticket.image_id, upload_url=ticket.upload_url,
                          upload_headers=ticket.upload_headers, expires_at=ticket.expires_at)
