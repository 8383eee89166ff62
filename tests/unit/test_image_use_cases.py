"""Product images around indexing: upload URLs, the cap, deletion, the expiry sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.domain.errors import (
    Forbidden,
    InvalidState,
    NotFound,
    ServiceUnavailable,
    UnsupportedImage,
    VendorNotVerified,
)
from common.domain.events import ProductImageDeleted
from common.domain.identity import Role, VendorStatus
from common.domain.images import (
    ABANDONED_CLAIM_S,
    MAX_BYTES,
    MAX_IMAGES_PER_PRODUCT,
    UPLOAD_GRACE_S,
    ImageStatus,
    Label,
)
from common.services.product_images import (
    UploadTicket,
    delete_image,
    expire_images,
    rendition_names,
    request_image_upload,
)
from tests.unit.fakes import FakeDatabase, FakeImageStore, FakeProductImageCatalog, ImageRow
from tests.unit.given import given_account, given_image, given_product, new_id, principal_of


def shop(vendor_status: VendorStatus = VendorStatus.VERIFIED):  # noqa: ANN201
    db = FakeDatabase()
    vendor = given_account(db, Role.VENDOR, vendor_status=vendor_status)
    return db, vendor, given_product(db, vendor), FakeImageStore(db.clock)


def test_renditions_are_named_by_product_and_image():
    assert rendition_names("p", "i") == {"thumbnail": "products/p/i/thumbnail.webp",
                                         "display": "products/p/i/display.webp"}


def test_an_upload_url_is_signed_for_exactly_the_declared_file_and_its_image_awaits_it():
    db, vendor, product, store = shop()

    ticket = request_image_upload(principal_of(vendor), product.id, "image/png", 2048,
                                  uow=db.unit_of_work, store=store)

    object_name = f"products/{product.id}/{ticket.image_id}"
    expires_at = db.clock.now + timedelta(seconds=store.url_ttl_s)
    assert ticket == UploadTicket(ticket.image_id, f"https://storage.example/uploads/{object_name}"
                                  "?signed", {"Content-Type": "image/png",
                                              "x-goog-content-length-range": "2048,2048"},
                                  expires_at)
    assert store.signed == [(object_name, "image/png", 2048)]
    assert db.tables.images == {ticket.image_id: ImageRow(
        ticket.image_id, product.id, object_name, "image/png", 2048,
        expires_at + timedelta(seconds=UPLOAD_GRACE_S))}
    assert db.committed_events == []


@pytest.mark.parametrize("content_type,size", [
    ("image/gif", 2048), ("image/png", 0), ("image/png", MAX_BYTES + 1),
], ids=["gif", "empty", "over-10-MB"])
def test_an_upload_that_cannot_be_accepted_is_refused_before_any_url_is_signed(content_type,
                                                                                 size):
    db, vendor, product, store = shop()

    with pytest.raises(UnsupportedImage):
        request_image_upload(principal_of(vendor), product.id, content_type, size,
                             uow=db.unit_of_work, store=store)
    assert (store.signed, db.tables.images) == ([], {})


def test_an_unverified_vendor_gets_no_upload_url():
    db, vendor, product, store = shop(VendorStatus.PENDING_VERIFICATION)

    with pytest.raises(VendorNotVerified):
        request_image_upload(principal_of(vendor), product.id, "image/png", 10,
                             uow=db.unit_of_work, store=store)
    assert store.signed == []


@pytest.mark.parametrize("whose,error", [("another-vendor", Forbidden), ("nobody", NotFound)])
def test_only_the_owner_adds_images(whose, error):
    db, _, product, store = shop()
    intruder = given_account(db, Role.VENDOR)
    product_id = product.id if whose == "another-vendor" else new_id()

    with pytest.raises(error):
        request_image_upload(principal_of(intruder), product_id, "image/png", 10,
                             uow=db.unit_of_work, store=store)
    assert db.tables.images == {}


LIVE = [(ImageStatus.READY, 600), (ImageStatus.PROCESSING, 600), (ImageStatus.PENDING, 600)]
NOT_COUNTED = [(ImageStatus.PENDING, -1), (ImageStatus.EXPIRED, 600),
               (ImageStatus.DELETED, 600), (ImageStatus.REJECTED, 600)]


@pytest.mark.parametrize("counted", [LIVE, NOT_COUNTED], ids=["live", "never-counted"])
def test_a_product_holds_at_most_ten_live_images(counted):
    db, vendor, product, store = shop()
    for n in range(MAX_IMAGES_PER_PRODUCT):
        status, expires_in_s = counted[n % len(counted)]
        given_image(db, product, status=status, upload_expires_in_s=expires_in_s)

    def request() -> UploadTicket:
        return request_image_upload(principal_of(vendor), product.id, "image/png", 10,
                                    uow=db.unit_of_work, store=store)

    if counted is LIVE:
        with pytest.raises(InvalidState, match="at most 10 images"):
            request()
        assert len(db.tables.images) == MAX_IMAGES_PER_PRODUCT
    else:
        assert request().image_id in db.tables.images


def indexed(db: FakeDatabase, product, store: FakeImageStore,  # noqa: ANN001
            catalog: FakeProductImageCatalog, label: str) -> ImageRow:
    """A ready image with its files in both buckets and its similar-image reference."""
    row = given_image(db, product, status=ImageStatus.READY, labels=(Label(label, 0.9),))
    for name in rendition_names(product.id, row.id).values():
        store.renditions[name] = (b"RIFF", "image/webp")
    store.uploads[row.object_name] = b"late"
    catalog.references[(product.id, row.id)] = "gs://renditions/x"
    return row


def test_the_owner_deletes_an_image_and_its_files_go():
    db, vendor, product, store = shop()
    catalog = FakeProductImageCatalog()
    doomed, kept = indexed(db, product, store, catalog, "lamp"), indexed(db, product, store,
                                                                        catalog, "rug")

    delete_image(principal_of(vendor), product.id, doomed.id, uow=db.unit_of_work, store=store,
                 catalog=catalog)

    row = db.tables.images[doomed.id]
    assert (row.status, row.removed_at) == (ImageStatus.DELETED, db.clock.now)
    assert db.tables.image_labels == {product.id: "rug"}
    assert db.events() == [(ProductImageDeleted, {"product_id": product.id,
                                                  "image_id": doomed.id, "vendor_id": vendor.id})]
    assert set(store.renditions) == set(rendition_names(product.id, kept.id).values())
    assert (list(store.uploads), list(catalog.references)) == ([kept.object_name],
                                                               [(product.id, kept.id)])


def test_a_deletion_answers_when_the_files_cannot_go_and_leaves_them_to_the_sweep():
    db, vendor, product, store = shop()
    catalog = FakeProductImageCatalog()
    image = indexed(db, product, store, catalog, "lamp")
    catalog.fail("remove", ServiceUnavailable("vision"))

    delete_image(principal_of(vendor), product.id, image.id, uow=db.unit_of_work, store=store,
                 catalog=catalog)

    row = db.tables.images[image.id]
    assert (row.status, row.removed_at) == (ImageStatus.DELETED, None)
    assert [type(event) for event in db.committed_events] == [ProductImageDeleted]


@pytest.mark.parametrize("case", ["another-vendor", "other-product", "no-such-image",
                                  "deleted-already"])
def test_an_image_that_is_not_the_callers_to_delete_is_not_found(case):
    db, vendor, product, store = shop()
    image = given_image(db, product, status=(ImageStatus.DELETED if case == "deleted-already"
                                             else ImageStatus.READY))
    caller = given_account(db, Role.VENDOR) if case == "another-vendor" else vendor
    product_id = given_product(db, vendor).id if case == "other-product" else product.id
    image_id = new_id() if case == "no-such-image" else image.id

    with pytest.raises(NotFound, match="No such image"):
        delete_image(principal_of(caller), product_id, image_id, uow=db.unit_of_work,
                     store=store, catalog=FakeProductImageCatalog())
    assert db.committed_events == []


def test_the_sweep_expires_unused_and_abandoned_images_and_removes_files_of_gone_ones():
    db, _, product, store = shop()
    catalog = FakeProductImageCatalog()
    now = db.clock.now
    unused = given_image(db, product, upload_expires_in_s=-1)
    awaited = given_image(db, product, upload_expires_in_s=1)
    abandoned = given_image(db, product, status=ImageStatus.PROCESSING, lease_token="t",
                            lease_until=now - timedelta(seconds=ABANDONED_CLAIM_S))
    lapsed = given_image(db, product, status=ImageStatus.PROCESSING, lease_token="t",
                         lease_until=now - timedelta(seconds=1))
    deleted = given_image(db, product, status=ImageStatus.DELETED)
    removed = given_image(db, product, status=ImageStatus.DELETED, removed_at=now)
    for row in (unused, abandoned, deleted, removed, awaited):
        store.uploads[row.object_name] = b"bytes"
        catalog.references[(product.id, row.id)] = "gs://renditions/x"

    assert expire_images(uow=db.unit_of_work, store=store, catalog=catalog) == {
        "expired": 2, "removed": 3, "failed": 0}

    status = {row.id: row.status for row in db.tables.images.values()}
    assert [status[row.id] for row in (unused, awaited, abandoned, lapsed)] == [
        ImageStatus.EXPIRED, ImageStatus.PENDING, ImageStatus.EXPIRED, ImageStatus.PROCESSING]
    assert sorted(store.uploads) == sorted([removed.object_name, awaited.object_name])
    assert set(catalog.references) == {(product.id, removed.id), (product.id, awaited.id)}
    assert all(db.tables.images[row.id].removed_at == now for row in (unused, abandoned, deleted))


class _RefusingOne(FakeProductImageCatalog):
    """Product Search refuses to forget one reference, and only that one."""

    def __init__(self, image_id: str) -> None:
        super().__init__()
        self.refused = image_id

    def remove(self, product_id: str, image_id: str) -> None:
        if image_id == self.refused:
            raise ServiceUnavailable("vision")
        super().remove(product_id, image_id)


def test_one_image_whose_files_cannot_go_does_not_stop_the_sweep_for_the_others():
    db, _, product, store = shop()
    stuck, other = (given_image(db, product, status=ImageStatus.DELETED) for _ in range(2))
    catalog = _RefusingOne(min(stuck.id, other.id))  # the first the sweep reaches

    assert expire_images(uow=db.unit_of_work, store=store, catalog=catalog) == {
        "expired": 0, "removed": 1, "failed": 1}
    removed_at = {row.id: db.tables.images[row.id].removed_at for row in (stuck, other)}
    assert [removed_at[catalog.refused] is None, removed_at[max(stuck.id, other.id)] is None] \
        == [True, False]
