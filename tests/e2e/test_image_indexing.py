"""Indexing an upload is exactly-once in effect and all-or-nothing: duplicate and concurrent
finalize deliveries index once; a failure half-way leaves the image pending, retryable."""

from __future__ import annotations

import dataclasses
import threading
import uuid

import pytest
from sqlalchemy import text

from common import bootstrap
from common.adapters.gcs_images import GcsImageStore
from common.services.product_images import UploadedObject, index_uploaded_image
from tests.e2e.catalog import jpeg, list_product, scene

STAGING = "bazaar-indexing-test"  # a bucket the deployed function ignores: only we index it


@pytest.fixture(scope="module")
def store(stack) -> GcsImageStore:
    stack.services["gcs"].ensure_bucket(STAGING)
    return GcsImageStore(dataclasses.replace(bootstrap.settings(), upload_bucket=STAGING))


def pending_upload(api, vendor, store: GcsImageStore, data: bytes) -> tuple[str, UploadedObject]:
    product = list_product(api, vendor)
    ticket = api.post(f"/v1/products/{product['id']}/images", headers=vendor.auth,
                      json={"content_type": "image/jpeg", "size": len(data)}).json()
    name = f"products/{product['id']}/{ticket['image_id']}"
    store._uploads.blob(name).upload_from_string(data, content_type="image/jpeg")
    return ticket["image_id"], UploadedObject(STAGING, name, None)


def index(uploaded: UploadedObject, store: GcsImageStore, recognizer=None) -> str:  # noqa: ANN001
    return index_uploaded_image(uploaded, uow=bootstrap.unit_of_work, store=store,
                                recognizer=recognizer or bootstrap.image_recognizer(),
                                catalog=bootstrap.product_image_catalog())


def indexed_events(image_id: str) -> int:
    with bootstrap.engine().connect() as db:
        return db.execute(text(
            "SELECT count(*) FROM outbox_events WHERE type = 'product.image_indexed' "
            "AND payload ->> 'image_id' = :id"), {"id": image_id}).scalar_one()


def image_status(image_id: str) -> str:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT status FROM product_images WHERE id = :id"),
                          {"id": image_id}).scalar_one()


def test_concurrent_and_repeated_deliveries_index_once(api, verified_vendor, store):
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=11)))
    outcomes: list[str] = []

    threads = [threading.Thread(target=lambda: outcomes.append(index(uploaded, store)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes.append(index(uploaded, store))

    assert sorted(outcomes).count("ready") == 1
    assert set(outcomes) - {"ready"} <= {"duplicate", "gone"}
    assert image_status(image_id) == "ready" and indexed_events(image_id) == 1
    assert store._uploads.blob(uploaded.name).exists() is False  # the original (EXIF) is gone


class FailingRecognizer:
    def recognize(self, image):  # noqa: ANN001, ANN201
        raise RuntimeError("the recognizer crashed")


def test_a_failure_half_way_leaves_the_image_pending_and_a_retry_indexes_it(
        api, verified_vendor, store):
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=12)))

    with pytest.raises(RuntimeError):
        index(uploaded, store, recognizer=FailingRecognizer())

    assert image_status(image_id) == "pending" and indexed_events(image_id) == 0
    assert store._uploads.blob(uploaded.name).exists()  # kept for the retry
    assert index(uploaded, store) == "ready" and indexed_events(image_id) == 1


def test_an_object_nobody_asked_for_is_deleted(store):
    name = f"products/{uuid.uuid4()}/{uuid.uuid4()}"
    store._uploads.blob(name).upload_from_string(b"anything", content_type="image/jpeg")

    assert index(UploadedObject(STAGING, name, None), store) == "unknown"
    assert store._uploads.blob(name).exists() is False
