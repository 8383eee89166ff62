"""GET /v1/fl/model: the current federated model version and its immutable object's URL.

Trigger: HTTP (signed in). Settings: database (role bazaar_federated), Firebase Auth,
MODEL_BASE_URL.
"""

import functions_framework

from common import bootstrap
from common.api import federated_schemas as fls
from common.api.operations import OPERATIONS
from common.http import Call, endpoint
from common.services.federated_rounds import serve_model


@functions_framework.http
@endpoint(OPERATIONS["get_fl_model"])
def get_fl_model(call: Call):
    served = serve_model(uow=bootstrap.federated_unit_of_work,
                         base_url=bootstrap.settings().model_base_url)
    return fls.FlModel(version=served.version, url=served.url, dim=served.dim,
                       items=served.items, hyper=served.hyper)
