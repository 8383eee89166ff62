"""An idempotent POST has one effect, however it dies and however often it is retried.

The first attempt runs in a fresh process armed with `BAZAAR_FAULT=after_commit`: it dies
right after the effect's transaction commits, before any response leaves (as an instance
killed at that moment would). Retries then reach the running server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import sqlalchemy

from common import bootstrap
from common.faults import EXIT_STATUS
from tests.conftest import ROOT
from tests.e2e.catalog import new_product


def _products_named(name: str) -> list[str]:
    with bootstrap.engine().connect() as db:
        return [str(row.id) for row in db.execute(
            sqlalchemy.text("SELECT id FROM products WHERE name = :name"), {"name": name})]


def _die_after_commit(function: str, path: str, body: dict, headers: dict) -> int:
    env = {**os.environ, "BAZAAR_FAULT": "after_commit"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.call_function", function, "POST", path,
         json.dumps(body), json.dumps(headers)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return result.returncode


def test_a_crash_after_the_commit_then_retries_list_one_product(api, verified_vendor):
    # Given a listing whose process dies right after its transaction commits
    name = f"Crash-proof kettle {uuid.uuid4().hex[:8]}"
    headers = {**verified_vendor.auth, "Idempotency-Key": f"crash-{uuid.uuid4().hex}"}
    assert _die_after_commit("create_product", "/v1/products", new_product(name=name),
                             headers) == EXIT_STATUS
    assert len(_products_named(name)) == 1
    # When the client retries, any number of times
    answers = [api.post("/v1/products", json=new_product(name=name), headers=headers)
               for _ in range(3)]
    # Then each retry replays the first response, and there is still one product
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert {answer.headers.get("Idempotent-Replayed") for answer in answers} == {"true"}
    assert {answer.json()["id"] for answer in answers} == set(_products_named(name))
    assert len(_products_named(name)) == 1


def test_a_retry_without_a_crash_replays_and_lists_nothing_more(api, verified_vendor):
    name = f"Twice-sent lamp {uuid.uuid4().hex[:8]}"
    headers = {**verified_vendor.auth, "Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
    first = api.post("/v1/products", json=new_product(name=name), headers=headers)
    again = api.post("/v1/products", json=new_product(name=name), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _products_named(name) == [first.json()["id"]]


def test_a_refusal_is_stored_and_replayed_without_an_effect(api, verified_vendor):
    headers = {**verified_vendor.auth, "Idempotency-Key": f"refused-{uuid.uuid4().hex}"}
    body = new_product(name=f"Misfiled {uuid.uuid4().hex[:8]}", subcategory_id="no-such-sub")
    first = api.post("/v1/products", json=body, headers=headers)
    again = api.post("/v1/products", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (422, 422)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _products_named(body["name"]) == []


def test_production_refuses_a_fault_point():
    import pytest

    from common.settings import SettingsError, from_environment

    with pytest.raises(SettingsError, match="BAZAAR_FAULT"):
        from_environment({"BAZAAR_ENV": "production", "BAZAAR_FAULT": "after_commit",
                          "CLOUD_SQL_INSTANCE": "p:r:i", "PUBLIC_BASE_URL": "https://x",
                          "MEDIA_BASE_URL": "https://x/media"})
