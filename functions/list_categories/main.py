"""GET /v1/categories: the category tree (seeded by migration 0002), cached publicly.

Trigger: HTTP. Settings: database.
"""

import functions_framework

from common import bootstrap
from common.api import catalog_presenters as present
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.catalog import category_tree


@functions_framework.http
@endpoint(OPERATIONS["list_categories"])
def list_categories(call: Call):
    return present.category_tree(category_tree(uow=bootstrap.unit_of_work))
