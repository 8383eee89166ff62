"""devstack.gcs with google-cloud-storage, and its notifications through the Pub/Sub stand-in."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from devstack.gcs import LocalGCS, start_gcs
from devstack.pubsub import start_pubsub

PROJECT = "demo-bazaar"


def client_for(gcs: LocalGCS) -> storage.Client:
    """A storage client pointed at the stand-in."""
    return storage.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs.url},
    )


@pytest.fixture
def gcs(tmp_path: Path) -> Iterator[LocalGCS]:
    """A fake-gcs-server without notifications."""
    server = start_gcs(tmp_path, port=0)
    yield server
    server.stop()


def test_bucket_and_object_round_trip(gcs: LocalGCS) -> None:
    gcs.ensure_bucket("uploads")
    gcs.ensure_bucket("uploads")
    bucket = client_for(gcs).bucket("uploads")
    bucket.blob("images/a.jpg").upload_from_string(b"\xff\xd8jpeg", content_type="image/jpeg")
    bucket.blob("other/b.txt").upload_from_string(b"b")
    blob = bucket.get_blob("images/a.jpg")
    assert blob is not None and blob.content_type == "image/jpeg"
    assert blob.download_as_bytes() == b"\xff\xd8jpeg"
    assert [b.name for b in client_for(gcs).list_blobs("uploads", prefix="images/")] == [
        "images/a.jpg"
    ]
    assert gcs.env() == {"STORAGE_EMULATOR_HOST": gcs.url}


def test_objects_survive_restart(tmp_path: Path) -> None:
    first = start_gcs(tmp_path, port=0)
    first.ensure_bucket("uploads")
    client_for(first).bucket("uploads").blob("kept.txt").upload_from_string(b"still here")
    first.stop()
    second = start_gcs(tmp_path, port=0)
    try:
        assert (
            client_for(second).bucket("uploads").blob("kept.txt").download_as_bytes()
            == b"still here"
        )
    finally:
        second.stop()


def test_finalize_notification_is_pushed_to_subscription(
    tmp_path: Path, make_events: Any, receiver: Any, wait_until: Any
) -> None:
    events = make_events(
        ["gcs-object-events"],
        {
            "images": {
                "topic": "gcs-object-events",
                "function": "on_image",
                "filter": 'attributes.eventType = "OBJECT_FINALIZE"'
                ' AND hasPrefix(attributes.objectId, "images/")',
            }
        },
    )
    pubsub = start_pubsub(PROJECT, events, receiver.url, port=0)
    gcs = start_gcs(tmp_path, port=0, pubsub_host=pubsub.host)
    try:
        gcs.ensure_bucket("uploads")
        bucket = client_for(gcs).bucket("uploads")
        bucket.blob("images/cat.jpg").upload_from_string(b"meow")
        bucket.blob("docs/readme.txt").upload_from_string(b"not an image")
        assert wait_until(lambda: len(pubsub.messages("gcs-object-events")) == 2)
        pubsub.wait_until_idle()
        [body] = receiver.bodies("on_image")
        attributes = body["message"]["attributes"]
        assert attributes["bucketId"] == "uploads" and attributes["objectId"] == "images/cat.jpg"
        assert attributes["eventType"] == "OBJECT_FINALIZE"
        assert json.loads(base64.b64decode(body["message"]["data"]))["name"] == "images/cat.jpg"
    finally:
        gcs.stop()
        pubsub.stop()


def test_leftover_server_of_the_same_folder_is_replaced(tmp_path: Path) -> None:
    leftover = start_gcs(tmp_path, port=0)  # never stopped, as after a killed dev server
    replacement = start_gcs(tmp_path, port=leftover.port)
    try:
        assert leftover.process.wait(timeout=5) is not None
        replacement.ensure_bucket("after-restart")
    finally:
        replacement.stop()
        leftover.stop()
