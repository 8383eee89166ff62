"""An HTTP function that says which process imported it and which one serves it
(tests/integration/devstack/test_devstack_gunicorn.py)."""

import os

import functions_framework

IMPORTED_BY = os.getpid()


@functions_framework.http
def pids(request):  # noqa: ANN001, ANN201
    return {"imported_by": IMPORTED_BY, "served_by": os.getpid(), "arbiter": os.getppid()}
