"""GET /v1/products/{product_id}/reviews: a listed product's visible reviews, newest or most
helpful first, in stable keyset pages; publicly cached with an ETag.

Trigger: HTTP (anyone). Settings: database (role bazaar_reviews), PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import review_presenters as present
from common.api.operations import OPERATIONS
from common.api.review_moderation_schemas import ReviewPage
from common.domain.review_pages import ReviewSort
from common.http import Call, endpoint
from common.services.review_listing import review_page


@functions_framework.http
@endpoint(OPERATIONS["list_reviews"])
def list_reviews(call: Call):
    reviews, next_token = review_page(
        call.params["product_id"], ReviewSort(call.query.sort), call.query.page_size,
        call.query.page_token, uow=bootstrap.review_moderation_unit_of_work,
        token_key=bootstrap.settings().page_token_signing_key())
    return ReviewPage(items=[present.review(r) for r in reviews], next_page_token=next_token)
