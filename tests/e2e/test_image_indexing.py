"""Indexing an upload is exactly-once in effect and holds no transaction across its I/O:
duplicate and concurrent finalize deliveries index once; a failure half-way leaves the
image retryable; a run that lost its claim commits nothing and undoes what it put outside;
two images of one product indexed at once both reach the product's labels."""

from __future__ import annotations

import dataclasses
import threading
import uuid

import pytest
from google.auth.credentials import AnonymousCredentials
from sqlalchemy import text

from common import bootstrap
from common.adapters.gcs_images import GcsImageStore
from common.adapters.vision import VisionProductCatalog
from common.services.product_images import (
    IndexingDeferred,
    UploadedObject,
    index_uploaded_image,
    rendition_names,
)
from tests.e2e.catalog import checkerboard, jpeg, list_product, scene, target
from tests.integration.vision_wire import serve_vision

STAGING = "bazaar-indexing-test"  # a bucket the deployed function ignores: only we index it


@pytest.fixture(scope="module")
def store(stack) -> GcsImageStore:
    stack.services["gcs"].ensure_bucket(STAGING)
    return GcsImageStore(dataclasses.replace(bootstrap.settings(), upload_bucket=STAGING))


def pending_upload(api, vendor, store: GcsImageStore, data: bytes,
                   product_id: str | None = None) -> tuple[str, UploadedObject]:
    product_id = product_id or list_product(api, vendor)["id"]
    ticket = api.post(f"/v1/products/{product_id}/images", headers=vendor.auth,
                      json={"content_type": "image/jpeg", "size": len(data)}).json()
    name = f"products/{product_id}/{ticket['image_id']}"
    store._uploads.blob(name).upload_from_string(data, content_type="image/jpeg")
    return ticket["image_id"], UploadedObject(STAGING, name, None)


def index(uploaded: UploadedObject, store: GcsImageStore, recognizer=None,  # noqa: ANN001
          catalog=None) -> str:  # noqa: ANN001
    return index_uploaded_image(uploaded, uow=bootstrap.unit_of_work, store=store,
                                recognizer=recognizer or bootstrap.image_recognizer(),
                                catalog=catalog or bootstrap.product_image_catalog())


def outcome_of(uploaded: UploadedObject, store: GcsImageStore) -> str:
    try:
        return index(uploaded, store)
    except IndexingDeferred:
        return "deferred"  # another run holds the claim: Pub/Sub would deliver it again


def sql(statement: str, **params) -> list:
    with bootstrap.engine().begin() as db:
        result = db.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def indexed_events(image_id: str) -> int:
    return sql("SELECT count(*) FROM outbox_events WHERE type = 'product.image_indexed' "
               "AND payload ->> 'image_id' = :id", id=image_id)[0][0]


def image_status(image_id: str) -> str:
    return sql("SELECT status FROM product_images WHERE id = :id", id=image_id)[0][0]


def test_concurrent_and_repeated_deliveries_index_once(api, verified_vendor, store):
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=11)))
    outcomes: list[str] = []

    threads = [threading.Thread(target=lambda: outcomes.append(outcome_of(uploaded, store)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes.append(outcome_of(uploaded, store))

    assert sorted(outcomes).count("ready") == 1 and len(outcomes) == 5
    assert set(outcomes) - {"ready"} <= {"duplicate", "deferred", "gone"}
    assert outcomes[-1] == "duplicate"
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


def test_a_claim_of_a_run_that_died_is_taken_over_once_its_lease_ran_out(
        api, verified_vendor, store):
    # Given a run that claimed the image and died half-way (no one gave the claim back)
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=13)))
    sql("UPDATE product_images SET status = 'processing', lease_token = :token, "
        "lease_until = now() + interval '2 minutes' WHERE id = :id",
        token=str(uuid.uuid4()), id=image_id)

    # When its event is delivered again while the lease runs, the delivery is deferred
    with pytest.raises(IndexingDeferred):
        index(uploaded, store)
    assert image_status(image_id) == "processing"
    assert store._uploads.blob(uploaded.name).exists()  # still needed

    # And once the lease has run out, a redelivery takes the claim over and indexes it
    sql("UPDATE product_images SET lease_until = now() - interval '1 second' WHERE id = :id",
        id=image_id)
    assert index(uploaded, store) == "ready"
    assert image_status(image_id) == "ready" and indexed_events(image_id) == 1


class ChecksNothingIsHeld:
    """The real recognizer, after checking that the indexing run holds no pooled connection
    and no row lock while it recognises (a stand-in for every I/O step of the run)."""

    def __init__(self, image_id: str, product_id: str) -> None:
        self._ids = {"image": image_id, "product": product_id}
        self.checked = False

    def recognize(self, image):  # noqa: ANN001, ANN201
        assert bootstrap.engine().pool.checkedout() == 0
        with bootstrap.engine().connect() as db, db.begin():  # NOWAIT: fails if locked
            db.execute(text("SELECT 1 FROM product_images WHERE id = :image FOR UPDATE NOWAIT"),
                       self._ids)
            db.execute(text("SELECT 1 FROM products WHERE id = :product FOR UPDATE NOWAIT"),
                       self._ids)
        self.checked = True
        return bootstrap.image_recognizer().recognize(image)


def test_no_transaction_and_no_row_lock_is_held_while_indexing_does_io(
        api, verified_vendor, store):
    product = list_product(api, verified_vendor)
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=14)),
                                        product["id"])
    recognizer = ChecksNothingIsHeld(image_id, product["id"])

    assert index(uploaded, store, recognizer=recognizer) == "ready"
    assert recognizer.checked


class DeletedMeanwhile:
    """The real recognizer, while the vendor deletes the image through the API."""

    def __init__(self, api, vendor, product_id: str, image_id: str) -> None:  # noqa: ANN001
        self._delete = lambda: api.delete(f"/v1/products/{product_id}/images/{image_id}",
                                          headers=vendor.auth)

    def recognize(self, image):  # noqa: ANN001, ANN201
        assert self._delete().status_code == 204
        return bootstrap.image_recognizer().recognize(image)


def test_a_run_whose_image_was_deleted_meanwhile_commits_nothing_and_undoes_its_effects(
        api, verified_vendor, store):
    product = list_product(api, verified_vendor)
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(scene(seed=15)),
                                        product["id"])
    renditions = store._renditions

    with serve_vision() as wire:
        catalog = VisionProductCatalog("bazaar-test", "europe-west1", "bazaar-products",
                                       endpoint=wire.url, credentials=AnonymousCredentials())
        outcome = index(uploaded, store, catalog=catalog,
                        recognizer=DeletedMeanwhile(api, verified_vendor, product["id"],
                                                    image_id))
        references = dict(wire.reference_images)

    assert outcome == "lost"
    assert image_status(image_id) == "deleted" and indexed_events(image_id) == 0
    assert references == {}  # the Product Search reference added by the run was removed
    for name in rendition_names(product["id"], image_id).values():
        assert renditions.blob(name).exists() is False
    assert store._uploads.blob(uploaded.name).exists() is False


class AtTheSameTime:
    """The real recognizer, then a barrier: the runs reach their last transaction together."""

    def __init__(self, parties: int) -> None:
        self._barrier = threading.Barrier(parties, timeout=60)

    def recognize(self, image):  # noqa: ANN001, ANN201
        seen = bootstrap.image_recognizer().recognize(image)
        self._barrier.wait()
        return seen


@pytest.mark.parametrize("attempt", range(8))
def test_two_images_of_one_product_indexed_at_once_both_reach_its_labels(
        api, verified_vendor, store, attempt):
    # Given a product with two uploads of clearly different things
    product = list_product(api, verified_vendor)
    uploads = [pending_upload(api, verified_vendor, store, jpeg(picture), product["id"])
               for picture in (target(), checkerboard())]
    recognizer = AtTheSameTime(len(uploads))
    outcomes: list[str] = []

    # When both finish indexing at the same moment
    threads = [threading.Thread(target=lambda u=uploaded: outcomes.append(
        index(u, store, recognizer=recognizer))) for _, uploaded in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the product's searchable labels hold the labels of both images
    assert outcomes == ["ready", "ready"]
    labels = [{label["name"] for label in image["labels"]}
              for image in api.get(f"/v1/products/{product['id']}").json()["images"]]
    assert labels[0] and labels[1] and labels[0].isdisjoint(labels[1])
    searchable = sql("SELECT image_labels FROM products WHERE id = :id", id=product["id"])[0][0]
    assert set(searchable.split()) >= {word for names in labels for name in names
                                       for word in name.split()}
    for names in labels:
        found = api.get("/v1/products", params={"q": sorted(names)[0],
                                                "vendor_id": verified_vendor.id})
        assert product["id"] in [item["id"] for item in found.json()["items"]]


def test_an_object_nobody_asked_for_is_deleted(store):
    name = f"products/{uuid.uuid4()}/{uuid.uuid4()}"
    store._uploads.blob(name).upload_from_string(b"anything", content_type="image/jpeg")

    assert index(UploadedObject(STAGING, name, None), store) == "unknown"
    assert store._uploads.blob(name).exists() is False
