"""The latency benchmarks' baselines, served like our functions (devstack/gunicorn.py):
`GET /`, a bare functions-framework function that does nothing; `GET /?sql=1`, the same
plus one `SELECT 1` on a pooled connection of common's engine (checkout with its pre-ping,
the statement, the pool's rollback on return): a bare SQL round trip."""

from __future__ import annotations

import functions_framework


@functions_framework.http
def bare(request):  # noqa: ANN001, ANN201
    if request.args.get("sql"):
        from common import bootstrap

        with bootstrap.engine().connect() as db:
            db.exec_driver_sql("SELECT 1").scalar_one()
    return {"ok": True}
