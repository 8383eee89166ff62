"""Logs are structured and carry no passwords, tokens or email addresses."""

from __future__ import annotations

import json
import logging

from tests.e2e.client import PASSWORD


def test_no_personal_data_reaches_the_logs(api, caplog):
    from common import bootstrap

    bootstrap.settings()  # configures logging once; the capture level below then holds
    caplog.set_level(logging.INFO)
    # Given a registration, a failed and a successful login, and a profile read
    user = api.register("customer", verify=False, login=False)
    api.post("/v1/sessions", json={"email": user.email, "password": "Wrong-pass-1"})
    api.login(user)
    api.get("/v1/me", headers=user.auth)
    # Then every request was logged with its id and status, and nothing personal
    records = [r for r in caplog.records if r.name == "bazaar.http"]
    assert len(records) >= 4
    assert all("request_id" in r.fields and "httpRequest" in r.fields for r in records)
    text = "\n".join(r.getMessage() + json.dumps(getattr(r, "fields", {}), default=str)
                     for r in caplog.records)
    for secret in (PASSWORD, "Wrong-pass-1", user.email, user.id_token, user.refresh_token):
        assert secret not in text
