"""Indexing an upload: claim, work outside any transaction, finish only if the claim holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from common.domain.errors import ServiceUnavailable
from common.domain.events import ProductImageIndexed, ProductImageRejected
from common.domain.identity import Role
from common.domain.images import (
    INDEXING_LEASE_S,
    DetectedObject,
    ImageStatus,
    Label,
    Recognition,
)
from common.imaging.decode import DecodedImage
from common.services.product_images import (
    IndexingDeferred,
    UploadedObject,
    index_uploaded_image,
    rendition_names,
)
from tests.unit.fakes import (
    FakeDatabase,
    FakeImageRecognizer,
    FakeImageStore,
    FakeProductImageCatalog,
    ImageRow,
)
from tests.unit.given import given_account, given_image, given_product, png

RECOGNITION = Recognition((Label("lamp", 0.9), Label("brass", 0.4)),
                          (DetectedObject("lamp", 0.8, (0.1, 0.1, 0.9, 0.9)),), (0.6, 0.8))


@dataclass
class Indexing:
    """One uploaded image of a product, and the ports an indexing run uses."""

    data: bytes = field(default_factory=png)
    db: FakeDatabase = field(default_factory=FakeDatabase)
    recognizer: FakeImageRecognizer = field(
        default_factory=lambda: FakeImageRecognizer(RECOGNITION))
    catalog: FakeProductImageCatalog = field(default_factory=FakeProductImageCatalog)

    def __post_init__(self) -> None:
        self.store = FakeImageStore(self.db.clock)
        self.product = given_product(self.db, given_account(self.db, Role.VENDOR))

    def image(self, status: ImageStatus = ImageStatus.PENDING, **columns: object) -> ImageRow:
        columns.setdefault("size", len(self.data))
        row = given_image(self.db, self.product, status=status, **columns)  # type: ignore[arg-type]
        self.store.uploads[row.object_name] = self.data
        return row

    def run(self, object_name: str) -> str:
        return index_uploaded_image(UploadedObject("uploads", object_name, 1),
                                    uow=self.db.unit_of_work, store=self.store,
                                    recognizer=self.recognizer, catalog=self.catalog)

    def row(self, image: ImageRow) -> ImageRow:
        return self.db.tables.images[image.id]


def test_an_upload_is_rendered_recognised_indexed_and_its_upload_deleted():
    world = Indexing()
    image = world.image()
    names = rendition_names(world.product.id, image.id)

    assert world.run(image.object_name) == "ready"

    row = world.row(image)
    assert (row.status, row.width, row.height, row.lease_token) == (ImageStatus.READY, 64, 48,
                                                                    None)
    assert (row.labels, row.objects, row.embedding, row.renditions) == (
        RECOGNITION.labels, RECOGNITION.objects, RECOGNITION.embedding, names)
    assert {name: (data[:4], kind) for name, (data, kind) in world.store.renditions.items()} == {
        name: (b"RIFF", "image/webp") for name in names.values()}
    assert world.catalog.references == {
        (world.product.id, image.id): f"gs://bazaar-renditions/{names['display']}"}
    assert world.store.uploads == {}
    assert world.db.tables.image_labels == {world.product.id: "brass lamp"}
    assert world.db.tables.lexicon == {"brass", "lamp"}
    assert world.db.events() == [(ProductImageIndexed, {
        "product_id": world.product.id, "image_id": image.id, "labels": ["lamp", "brass"]})]
    assert world.recognizer.seen == [(64, 48)]


def test_a_finish_that_does_not_commit_leaves_the_claim_to_a_redelivery_after_its_lease():
    world = Indexing()
    image = world.image()
    world.db.fail_commit(after=1)  # the claim commits, the finish does not

    with pytest.raises(ServiceUnavailable):
        world.run(image.object_name)
    assert (world.row(image).status, world.db.committed_events) == (ImageStatus.PROCESSING, [])
    with pytest.raises(IndexingDeferred):
        world.run(image.object_name)

    world.db.clock.advance(INDEXING_LEASE_S)
    assert world.run(image.object_name) == "ready"
    assert [type(event) for event in world.db.committed_events] == [ProductImageIndexed]


PNG = png()


@pytest.mark.parametrize("declared,data,size,reason", [
    ("image/png", PNG, len(PNG) + 1,
     f"The file is {len(PNG)} bytes, not the {len(PNG) + 1} declared."),
    ("image/png", b"GIF89a: no image of ours", 24, "The file is not a JPEG, PNG or WebP image."),
    ("image/jpeg", PNG, len(PNG),
     "The bytes are a PNG image, not the image/jpeg that was declared."),
], ids=["size-not-as-declared", "not-an-image", "another-format-than-declared"])
def test_an_upload_that_is_not_what_was_declared_is_rejected(declared, data, size, reason):
    world = Indexing(data=data)
    image = world.image(content_type=declared, size=size)

    assert world.run(image.object_name) == "rejected"

    assert (world.row(image).status, world.row(image).reject_reason) == (ImageStatus.REJECTED,
                                                                         reason)
    assert world.db.events() == [(ProductImageRejected, {
        "product_id": world.product.id, "image_id": image.id, "reason": reason})]
    assert (world.store.renditions, world.catalog.references, world.store.uploads) == ({}, {}, {})
    assert world.recognizer.seen == []


@pytest.mark.parametrize("status,outcome", [
    (ImageStatus.READY, "duplicate"),
    (ImageStatus.REJECTED, "duplicate"),
    (ImageStatus.EXPIRED, "expired"),
    (ImageStatus.DELETED, "deleted"),
])
def test_an_image_already_done_or_gone_is_not_indexed_and_its_upload_goes(status, outcome):
    world = Indexing()
    image = world.image(status)

    assert world.run(image.object_name) == outcome

    assert (world.store.uploads, world.db.committed_events, world.recognizer.seen) == ({}, [], [])


def test_an_upload_of_no_image_row_is_deleted():
    world = Indexing()
    world.store.uploads["products/p/unknown"] = b"..."

    assert world.run("products/p/unknown") == "unknown"
    assert world.store.uploads == {}


def test_an_object_outside_the_products_prefix_is_ignored():
    world = Indexing()
    world.store.uploads["avatars/a.png"] = b"..."

    assert world.run("avatars/a.png") == "ignored"
    assert (world.store.uploads, world.db.transactions) == ({"avatars/a.png": b"..."}, 0)


@pytest.mark.parametrize("status,lease_token,upload_expires_in_s", [
    (ImageStatus.PROCESSING, "another-run", 600),
    (ImageStatus.PENDING, None, -1),
], ids=["another-run-holds-it", "late-upload-awaiting-the-sweep"])
def test_an_image_that_cannot_be_claimed_now_is_deferred_and_its_upload_kept(
        status, lease_token, upload_expires_in_s):
    world = Indexing()
    lease_until = world.db.clock.now + timedelta(seconds=60) if lease_token else None
    image = world.image(status, lease_token=lease_token, lease_until=lease_until,
                        upload_expires_in_s=upload_expires_in_s)

    with pytest.raises(IndexingDeferred):
        world.run(image.object_name)
    assert list(world.store.uploads) == [image.object_name]
    assert (world.row(image).status, world.row(image).lease_token) == (status, lease_token)


def test_a_claim_past_its_lease_is_taken_over():
    world = Indexing()
    image = world.image(ImageStatus.PROCESSING, lease_token="crashed-run",
                        lease_until=world.db.clock.now)

    assert world.run(image.object_name) == "ready"


def test_an_upload_that_is_gone_hands_the_claim_back():
    world = Indexing()
    image = world.image()
    del world.store.uploads[image.object_name]

    assert world.run(image.object_name) == "gone"
    assert (world.row(image).status, world.row(image).lease_token) == (ImageStatus.PENDING, None)


def test_a_recognizer_failure_hands_the_claim_back_and_is_retried():
    world = Indexing()
    image = world.image()
    world.recognizer.fail("recognize", ServiceUnavailable("vision"))

    with pytest.raises(ServiceUnavailable):
        world.run(image.object_name)
    assert (world.row(image).status, world.row(image).lease_token) == (ImageStatus.PENDING, None)
    assert list(world.store.uploads) == [image.object_name]


def test_a_run_whose_image_was_deleted_meanwhile_commits_nothing_and_removes_its_files():
    world = Indexing()
    image = world.image()

    class DeletedMeanwhile(FakeImageRecognizer):
        def recognize(self, decoded: DecodedImage) -> Recognition:
            world.db.tables.images[image.id].status = ImageStatus.DELETED  # the owner's delete
            return super().recognize(decoded)

    world.recognizer = DeletedMeanwhile(RECOGNITION)

    assert world.run(image.object_name) == "lost"

    assert (world.store.renditions, world.catalog.references, world.store.uploads) == ({}, {}, {})
    assert world.row(image).removed_at == world.db.clock.now
    assert world.db.committed_events == []


def test_a_run_whose_claim_was_taken_over_leaves_the_files_to_the_new_run():
    world = Indexing()
    image = world.image()

    class TakenOver(FakeImageRecognizer):
        def recognize(self, decoded: DecodedImage) -> Recognition:
            world.db.tables.images[image.id].lease_token = "the-run-that-took-over"
            return super().recognize(decoded)

    world.recognizer = TakenOver(RECOGNITION)

    assert world.run(image.object_name) == "lost"

    assert len(world.store.renditions) == 2 and len(world.catalog.references) == 1
    assert list(world.store.uploads) == [image.object_name]
    assert (world.row(image).status, world.db.committed_events) == (ImageStatus.PROCESSING, [])
