"""An image's life after its upload URL: unused URLs expire and stop counting toward the
cap, a late upload is never indexed, and the owning vendor deletes an image (renditions,
Vision reference image and labels go with it)."""

from __future__ import annotations

import dataclasses
import time

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from sqlalchemy import text

from common import bootstrap
from common.adapters.gcs_images import GcsImageStore
from common.adapters.vision import VisionProductCatalog
from common.services.product_images import delete_image, expire_images, rendition_names
from tests.e2e.catalog import jpeg, list_product, target, upload_image, wait_for_image
from tests.e2e.test_image_indexing import STAGING, index, pending_upload
from tests.integration.vision_wire import serve_vision

pytestmark = pytest.mark.events


def sql(statement: str, **params) -> list:
    with bootstrap.engine().begin() as db:
        result = db.execute(text(statement), params)
        return list(result) if result.returns_rows else []


def ask_upload(api, vendor, product_id: str, size: int = 1000):  # noqa: ANN001, ANN201
    return api.post(f"/v1/products/{product_id}/images", headers=vendor.auth,
                    json={"content_type": "image/jpeg", "size": size})


def expire_uploads_of(product_id: str) -> None:
    """Move the upload deadline of the product's pending images into the past (the
    database's clock decides expiry)."""
    sql("UPDATE product_images SET upload_expires_at = now() - interval '1 second' "
        "WHERE product_id = :id AND status = 'pending'", id=product_id)


def sweep(stack) -> dict:
    response = requests.post(f"{stack.base_url}/_internal/expire_product_images", timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def statuses(product_id: str) -> list[str]:
    return [row[0] for row in sql("SELECT status FROM product_images WHERE product_id = :id "
                                  "ORDER BY created_at, id", id=product_id)]


def events(kind: str, image_id: str) -> int:
    return sql("SELECT count(*) FROM outbox_events WHERE type = :kind "
               "AND payload ->> 'image_id' = :id", kind=kind, id=image_id)[0][0]


def test_unused_upload_urls_stop_counting_toward_the_cap_once_expired(api, verified_vendor,
                                                                      stack):
    # Given a product whose ten upload URLs were never used
    product = list_product(api, verified_vendor)
    for _ in range(10):
        assert ask_upload(api, verified_vendor, product["id"]).status_code == 201
    refused = ask_upload(api, verified_vendor, product["id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_state")

    # When their URL lifetime and grace have passed, a new upload is allowed at once
    expire_uploads_of(product["id"])
    assert ask_upload(api, verified_vendor, product["id"]).status_code == 201

    # And the scheduled sweep marks them expired; they are no longer shown
    assert sweep(stack)["expired"] >= 10
    assert statuses(product["id"]) == ["expired"] * 10 + ["pending"]
    shown = api.get(f"/v1/products/{product['id']}").json()["images"]
    assert [image["status"] for image in shown] == ["pending"]


def test_a_late_upload_of_an_expired_image_is_never_indexed(api, verified_vendor, stack):
    # Given an image whose upload deadline passed and that the sweep expired
    product = list_product(api, verified_vendor)
    data = jpeg(target())
    ticket = ask_upload(api, verified_vendor, product["id"], len(data)).json()
    expire_uploads_of(product["id"])
    sweep(stack)

    # When the upload arrives anyway (the signed URL itself is still valid)
    put = requests.put(ticket["upload_url"], data=data, headers=ticket["upload_headers"],
                       timeout=30)
    assert put.status_code == 200

    # Then the finalize event deletes it and indexes nothing
    uploads = storage.Client().bucket(bootstrap.settings().upload_bucket)
    name = f"products/{product['id']}/{ticket['image_id']}"
    deadline = time.monotonic() + 30
    while uploads.blob(name).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert uploads.blob(name).exists() is False
    assert statuses(product["id"]) == ["expired"]
    assert events("product.image_indexed", ticket["image_id"]) == 0


def test_the_sweep_deletes_a_late_upload_whose_event_never_came(api, verified_vendor, stack):
    # Given an expired image whose upload is in the bucket (its event was lost)
    store = GcsImageStore(dataclasses.replace(bootstrap.settings(), upload_bucket=STAGING))
    stack.services["gcs"].ensure_bucket(STAGING)
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(target()))
    sql("UPDATE product_images SET upload_expires_at = now() - interval '1 second' "
        "WHERE id = :id", id=image_id)

    # When the sweep runs (as often as it takes to reach this image)
    done = expire_images(uow=bootstrap.unit_of_work, store=store,
                         catalog=bootstrap.product_image_catalog())
    while done["removed"]:
        done = expire_images(uow=bootstrap.unit_of_work, store=store,
                             catalog=bootstrap.product_image_catalog())

    # Then the image is expired, its upload is gone, and a late event indexes nothing
    assert store._uploads.blob(uploaded.name).exists() is False
    assert sql("SELECT status, removed_at IS NOT NULL FROM product_images WHERE id = :id",
               id=image_id) == [("expired", True)]
    store._uploads.blob(uploaded.name).upload_from_string(jpeg(target()))
    assert index(uploaded, store) == "expired"
    assert store._uploads.blob(uploaded.name).exists() is False


def test_the_owner_deletes_an_image_and_its_renditions_labels_and_place_go(
        api, verified_vendor):
    # Given a ready image whose label finds the product
    product = list_product(api, verified_vendor)
    ticket = upload_image(api, verified_vendor, product["id"], jpeg(target()))
    image = wait_for_image(api, product["id"], ticket["image_id"])
    assert image["status"] == "ready", image
    label = image["labels"][0]["name"]
    query = {"q": label, "vendor_id": verified_vendor.id}
    assert [p["id"] for p in api.get("/v1/products", params=query).json()["items"]] == [
        product["id"]]

    # When the vendor deletes it
    path = f"/v1/products/{product['id']}/images/{ticket['image_id']}"
    deleted = api.delete(path, headers=verified_vendor.auth)

    # Then it is gone from the product, its renditions from the bucket, its label from search
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.get(f"/v1/products/{product['id']}").json()["images"] == []
    for url in image["urls"].values():
        assert requests.get(url, timeout=10).status_code == 404
    assert api.get("/v1/products", params=query).json()["items"] == []
    assert events("product.image_deleted", ticket["image_id"]) == 1
    # And deleting it again finds nothing
    again = api.delete(path, headers=verified_vendor.auth)
    assert (again.status_code, again.json()["code"]) == (404, "not_found")


def test_a_deleted_image_frees_its_place(api, verified_vendor):
    product = list_product(api, verified_vendor)
    tickets = [ask_upload(api, verified_vendor, product["id"]).json() for _ in range(10)]
    assert ask_upload(api, verified_vendor, product["id"]).status_code == 409

    first = f"/v1/products/{product['id']}/images/{tickets[0]['image_id']}"
    assert api.delete(first, headers=verified_vendor.auth).status_code == 204

    assert ask_upload(api, verified_vendor, product["id"]).status_code == 201


def test_only_the_owner_may_delete_an_image_and_others_get_404(api, verified_vendor, admin,
                                                                customer):
    product = list_product(api, verified_vendor)
    other_product = list_product(api, verified_vendor)
    image_id = ask_upload(api, verified_vendor, product["id"]).json()["image_id"]
    other_vendor = api.register("vendor")
    path = f"/v1/products/{product['id']}/images/{image_id}"

    answers = {
        "other vendor": api.delete(path, headers=other_vendor.auth),
        "unknown image": api.delete(f"/v1/products/{product['id']}/images/"
                                    "00000000-0000-4000-8000-000000000000",
                                    headers=verified_vendor.auth),
        "image of another product": api.delete(
            f"/v1/products/{other_product['id']}/images/{image_id}",
            headers=verified_vendor.auth),
        "not an id": api.delete(f"/v1/products/{product['id']}/images/x",
                                headers=verified_vendor.auth),
    }

    assert {who: (r.status_code, r.json()["code"]) for who, r in answers.items()} == {
        who: (404, "not_found") for who in answers}
    assert api.delete(path, headers=customer.auth).status_code == 403
    assert api.delete(path).status_code == 401
    assert statuses(product["id"]) == ["pending"]


def test_deleting_an_indexed_image_removes_its_vision_reference_image(api, verified_vendor,
                                                                      stack):
    store = GcsImageStore(dataclasses.replace(bootstrap.settings(), upload_bucket=STAGING))
    stack.services["gcs"].ensure_bucket(STAGING)
    image_id, uploaded = pending_upload(api, verified_vendor, store, jpeg(target()))
    product_id = uploaded.name.split("/")[1]
    with bootstrap.unit_of_work() as tx:
        vendor = tx.accounts.principal(verified_vendor.id)

    with serve_vision() as wire:
        catalog = VisionProductCatalog("bazaar-test", "europe-west1", "bazaar-products",
                                       endpoint=wire.url, credentials=AnonymousCredentials())
        assert index(uploaded, store, catalog=catalog) == "ready"
        assert len(wire.reference_images) == 1
        delete_image(vendor, product_id, image_id, uow=bootstrap.unit_of_work, store=store,
                     catalog=catalog)
        references = dict(wire.reference_images)

    assert references == {}
    for name in rendition_names(product_id, image_id).values():
        assert store._renditions.blob(name).exists() is False
    assert sql("SELECT status, removed_at IS NOT NULL FROM product_images WHERE id = :id",
               id=image_id) == [("deleted", True)]
