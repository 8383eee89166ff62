"""The anonymizer's HTTP door over fakes of its own ports (the sink, the token check): the
contract's answers (202, 401, 413, 415, 422, 429, 503) and log lines with no personal data."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import datetime, timezone

import pytest
from werkzeug.test import create_environ, run_wsgi_app

from common import settings as settings_module
from common.domain.errors import Unauthenticated
from common.domain.pseudonyms import pseudonym
from edge_workers.anonymizer.buffer import BufferedPublisher
from edge_workers.anonymizer.keys import ZoneKeys
from edge_workers.anonymizer.limits import MemoryRateLimiter
from edge_workers.anonymizer.main import Parts, create_app
from edge_workers.anonymizer.tokens import TokenHolder
from tests.unit.test_anonymizer_buffer import FakeSink

ACCOUNT = str(uuid.uuid4())


class FakeTokens:
    def holder(self, authorization: str | None) -> TokenHolder | None:
        if authorization is None:
            return None
        if authorization != "Bearer good":
            raise Unauthenticated("The token is invalid or expired: log in again.")
        return TokenHolder(ACCOUNT, "anna@example.com", "Anna Berg")


def app_with(sink: FakeSink, *, limit: int = 5, capacity: int = 100):  # noqa: ANN201
    settings = settings_module.from_environment({
        "DATABASE_URL": "postgresql://unused/unused", "INTERACTION_BATCHES_PER_WINDOW": str(limit)})
    keys = ZoneKeys({z: settings.zone_keys(z) for z in ("eu", "americas", "asia")}, "eu")
    parts = Parts(settings, keys, BufferedPublisher(sink, capacity, 3600),
                  MemoryRateLimiter(3600), FakeTokens())
    return create_app(parts).test_client(), settings


def batch(**extra) -> dict:  # noqa: ANN003
    return {"events": [{"type": "view", "product_id": str(uuid.uuid4()),
                        "at": datetime.now(timezone.utc).isoformat(), **extra}]}


def test_a_signed_in_batch_is_accepted_and_published_under_the_zones_pseudonym():
    sink = FakeSink()
    client, settings = app_with(sink)

    response = client.post("/v1/interactions", json=batch(), headers={
        "Authorization": "Bearer good", "X-Device-Id": "device-12345678",
        "X-Client-Region": "US"})

    assert (response.status_code, response.json) == (202, {"status": "accepted"})
    assert len(sink.published) == 1
    assert client.get("/healthz").json == {"status": "ok"}
    expected = pseudonym("account", ACCOUNT, settings.zone_keys("americas")[0])
    assert expected != pseudonym("account", ACCOUNT, settings.zone_keys("eu")[0])


@pytest.mark.parametrize("path, body, headers, status, code", [
    ("/v1/interactions", batch(), {"Authorization": "Bearer bad"}, 401, "unauthenticated"),
    ("/v1/interactions", batch(), {}, 422, "invalid_request"),
    ("/v1/interactions", {"events": []}, {"X-Device-Id": "device-12345678"}, 422,
     "invalid_request"),
    ("/v1/interactions", batch(), {"X-Device-Id": "bad id"}, 422, "invalid_request"),
    ("/v1/interactions", batch(query="q" * 200) | {"pad": "x" * 17_000},
     {"X-Device-Id": "device-12345678"}, 413, "payload_too_large"),
    ("/v1/analytics/events", {"events": [{"type": "page_view", "at": "2026-01-01T00:00:00Z",
                                          "text": "\u00e9" * 120}] * 50},
     {"X-Device-Id": "device-12345678"}, 413, "payload_too_large"),
    ("/v1/analytics/events", {"events": [{"type": "teleport", "at": "2026-01-01T00:00:00Z"}]},
     {"X-Device-Id": "device-12345678"}, 422, "invalid_request"),
], ids=["bad-token", "no-device", "no-events", "bad-device", "interactions-over-16kb",
        "analytics-over-32kb", "unknown-analytics-type"])
def test_bad_input_gets_its_problem_and_nothing_is_published(path, body, headers, status, code):
    sink = FakeSink()
    client, _ = app_with(sink)

    response = client.post(path, json=body, headers=headers)

    assert (response.status_code, response.json["code"]) == (status, code)
    assert response.mimetype == "application/problem+json"
    assert sink.published == []


def test_a_body_that_is_not_json_is_415():
    client, _ = app_with(FakeSink())
    response = client.post("/v1/interactions", data="x", content_type="text/plain",
                           headers={"X-Device-Id": "device-12345678"})
    assert (response.status_code, response.json["code"]) == (415, "unsupported_media_type")


def test_past_the_limit_a_pseudonym_gets_429_with_retry_after():
    client, _ = app_with(FakeSink(), limit=2)
    headers = {"X-Device-Id": "device-12345678"}

    statuses = [client.post("/v1/interactions", json=batch(), headers=headers).status_code
                for _ in range(3)]
    refused = client.post("/v1/interactions", json=batch(), headers=headers)

    assert statuses == [202, 202, 429]
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600


def test_with_the_topic_down_batches_are_buffered_then_refused_with_503_when_full():
    sink = FakeSink()
    sink.up = False
    client, _ = app_with(sink, capacity=2)
    headers = {"X-Device-Id": "device-12345678"}

    statuses = [client.post("/v1/interactions", json=batch(), headers=headers).status_code
                for _ in range(3)]
    refused = client.post("/v1/interactions", json=batch(), headers=headers)

    assert statuses == [202, 202, 503]
    assert refused.json["code"] == "service_unavailable" and "Retry-After" in refused.headers


def test_the_log_lines_carry_no_personal_data(caplog):
    caplog.set_level(logging.DEBUG)
    client, _ = app_with(FakeSink())
    raw = ["device-secret-42", ACCOUNT, "anna@example.com", "198.51.100.23", "iPhone"]

    client.post("/v1/analytics/events", headers={
        "Authorization": "Bearer good", "X-Device-Id": raw[0], "X-Forwarded-For": raw[3],
        "User-Agent": "Mozilla/5.0 (iPhone)"}, json={"events": [{
            "type": "search", "at": datetime.now(timezone.utc).isoformat(),
            "text": "mail anna@example.com"}]})

    logged = " ".join(r.getMessage() + json.dumps(getattr(r, "fields", {}), default=str)
                      for r in caplog.records)
    assert "events accepted" in logged
    assert [value for value in raw if value in logged] == []


def test_a_chunked_body_over_the_limit_is_413_without_being_read_whole():
    # Given a body of 8 MiB sent without a Content-Length (chunked)
    client, _ = app_with(FakeSink())

    class EightMebibytes(io.RawIOBase):
        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # noqa: ANN001
            size = min(len(buffer), 8 * 1024 * 1024 - self.served)
            buffer[:size] = b" " * size
            self.served += size
            return size

    body = EightMebibytes()
    environ = create_environ("/v1/interactions", method="POST",
                             headers={"X-Device-Id": "device-12345678",
                                      "Content-Type": "application/json"})
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BufferedReader(body), "wsgi.input_terminated": True})

    # When it is posted
    app_iter, status, _ = run_wsgi_app(client.application, environ)
    answer = json.loads(b"".join(app_iter))

    # Then it is refused past the 16 KB limit, long before 8 MiB was read
    assert (status, answer["code"]) == ("413 REQUEST ENTITY TOO LARGE", "payload_too_large")
    assert body.served < 1024 * 1024
