"""GET /v1/products: browse by category and search by text, with filters, sorting and
stable pages; publicly cached with an ETag.

Trigger: HTTP. Settings: database, MEDIA_BASE_URL, PAGE_TOKEN_KEY.
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.operations import OPERATIONS
from common.domain.catalog import ProductSearch, Sort, query_words
from common.http import Call, endpoint
from common.services.product_search import search_products as search


@functions_framework.http
@endpoint(OPERATIONS["search_products"])
def search_products(call: Call):
    query = call.query
    wanted = ProductSearch(
        words=query_words(query.q), category_id=query.category_id,
        subcategory_id=query.subcategory_id, vendor_id=query.vendor_id,
        min_price=query.min_price, max_price=query.max_price, sort=Sort(query.sort),
        page_size=query.page_size)
    settings = bootstrap.settings()
    rows, next_token = search(wanted, query.page_token, queries=bootstrap.product_queries(),
                              token_key=settings.page_token_signing_key())
    return present.page(rows, next_token, settings.media_base_url)
