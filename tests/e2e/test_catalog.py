"""Vendors list, edit and unlist products; the category tree; who may do what."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.catalog import CATEGORY, SUBCATEGORY, list_product, new_product


def test_the_category_tree_is_a_real_taxonomy(api):
    response = api.get("/v1/categories")

    tree = response.json()
    assert response.status_code == 200
    assert len(tree) >= 15 and sum(len(c["subcategories"]) for c in tree) >= 60
    electronics = next(c for c in tree if c["id"] == CATEGORY)
    assert {"id": SUBCATEGORY, "name": "Audio & Headphones"} in electronics["subcategories"]
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_public_gets_answer_304_to_a_matching_etag(api):
    first = api.get("/v1/categories")

    again = api.get("/v1/categories", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_verified_vendor_lists_a_product_that_anyone_can_read(api, verified_vendor):
    product = list_product(api, verified_vendor)

    read = api.get(f"/v1/products/{product['id']}")

    assert product["status"] == "listed" and product["price"] == {"amount": 5999,
                                                                  "currency": "EUR"}
    assert product["vendor"]["id"] == verified_vendor.id
    assert read.status_code == 200 and read.json()["name"] == "Wireless headphones"
    assert read.json()["rating"] == {"count": 0, "average": None, "distribution": {
        "1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
    assert read.headers["Cache-Control"] == "public, max-age=60" and read.headers["ETag"]


def test_a_pending_vendor_is_told_to_contact_an_admin(api, pending_vendor):
    response = api.post("/v1/products", headers=pending_vendor.auth, json=new_product())

    assert response.status_code == 403
    assert response.json()["code"] == "vendor_not_verified"
    assert "admin" in response.json()["detail"]


def test_customers_cannot_list_products(api, customer):
    response = api.post("/v1/products", headers=customer.auth, json=new_product())

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_the_owner_edits_a_product(api, verified_vendor):
    product = list_product(api, verified_vendor)

    edited = api.patch(f"/v1/products/{product['id']}", headers=verified_vendor.auth,
                       json={"price": {"amount": 4999}, "stock": 0})

    assert edited.status_code == 200, edited.text
    assert (edited.json()["price"]["amount"], edited.json()["stock"]) == (4999, 0)
    assert api.get(f"/v1/products/{product['id']}").json()["price"]["amount"] == 4999


def test_another_vendor_can_neither_edit_nor_unlist_it(api, verified_vendor, admin):
    product = list_product(api, verified_vendor)
    other = api.register("vendor")
    api.post(f"/v1/admin/vendors/{other.id}:verify", headers=admin.auth,
             json={"checklist": {"business_registration": True, "identity": True,
                                 "address": True, "bank_account": True}})

    edit = api.patch(f"/v1/products/{product['id']}", headers=other.auth, json={"stock": 1})
    unlist = api.delete(f"/v1/products/{product['id']}", headers=other.auth)

    assert (edit.status_code, edit.json()["code"]) == (403, "forbidden")
    assert (unlist.status_code, unlist.json()["code"]) == (403, "forbidden")
    assert api.get(f"/v1/products/{product['id']}").json()["stock"] == 5


def test_an_unlisted_product_disappears_and_can_be_listed_again(api, verified_vendor):
    product = list_product(api, verified_vendor)

    unlisted = api.delete(f"/v1/products/{product['id']}", headers=verified_vendor.auth)
    gone = api.get(f"/v1/products/{product['id']}")
    relisted = api.patch(f"/v1/products/{product['id']}", headers=verified_vendor.auth,
                         json={"status": "listed"})

    assert unlisted.status_code == 204 and gone.status_code == 404
    assert relisted.json()["status"] == "listed"
    assert api.get(f"/v1/products/{product['id']}").status_code == 200


def test_products_of_a_blocked_vendor_are_not_shown(api, verified_vendor, admin):
    product = list_product(api, verified_vendor)

    api.post(f"/v1/admin/accounts/{verified_vendor.id}:block", headers=admin.auth,
             json={"reason": "fraud investigation"})

    assert api.get(f"/v1/products/{product['id']}").status_code == 404
    listed = api.get("/v1/products", params={"vendor_id": verified_vendor.id}).json()
    assert listed["items"] == []


@pytest.mark.parametrize("change,field", [
    ({"price": {"amount": -1}}, "price.amount"),
    ({"price": {"amount": 10.5}}, "price.amount"),
    ({"price": {"amount": "10"}}, "price.amount"),
    ({"price": {"amount": 100, "currency": "USD"}}, "price.currency"),
    ({"stock": -1}, "stock"),
    ({"stock": 1.0}, "stock"),
    ({"name": ""}, "name"),
    ({"category_id": "no-such-category"}, "category_id"),
    ({"subcategory_id": "no-such-sub"}, "subcategory_id"),
    ({"subcategory_id": "furniture--bedroom"}, "subcategory_id"),
    ({"category_id": "DROP TABLE"}, "category_id"),
    ({"colour": "red"}, "colour"),
], ids=["negative-price", "float-price", "string-price", "other-currency", "negative-stock",
        "float-stock", "empty-name", "unknown-category", "unknown-subcategory",
        "subcategory-of-another-category", "injection-in-category", "unknown-field"])
def test_bad_products_are_refused_and_nothing_is_listed(api, verified_vendor, change, field):
    response = api.post("/v1/products", headers=verified_vendor.auth, json=new_product(**change))

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert field in [error["field"] for error in response.json()["errors"]]
    mine = api.get("/v1/products", params={"vendor_id": verified_vendor.id}).json()["items"]
    assert mine == []


@pytest.mark.parametrize("body", [{}, {"stock": None}, {"category_id": "furniture"}],
                         ids=["nothing", "null", "category-without-subcategory"])
def test_bad_edits_are_refused(api, verified_vendor, body):
    product = list_product(api, verified_vendor)

    response = api.patch(f"/v1/products/{product['id']}", headers=verified_vendor.auth, json=body)

    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


def test_unknown_products_are_404(api, verified_vendor):
    missing = str(uuid.uuid4())

    assert api.get(f"/v1/products/{missing}").status_code == 404
    assert api.get("/v1/products/not-a-uuid").status_code == 404
    response = api.patch(f"/v1/products/{missing}", headers=verified_vendor.auth,
                         json={"stock": 1})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("body,code", [
    ({"content_type": "image/gif", "size": 1000}, "unsupported_image"),
    ({"content_type": "image/jpeg", "size": 10 * 1024 * 1024 + 1}, "unsupported_image"),
    ({"content_type": "image/jpeg", "size": 0}, "unsupported_image"),
    ({"content_type": "image/jpeg", "size": 1.5}, "invalid_request"),
], ids=["gif", "over-10-mb", "empty", "float-size"])
def test_bad_upload_requests_are_refused_before_any_url_is_signed(api, verified_vendor, body,
                                                                   code):
    product = list_product(api, verified_vendor)

    response = api.post(f"/v1/products/{product['id']}/images", headers=verified_vendor.auth,
                        json=body)

    assert (response.status_code, response.json()["code"]) == (422, code)
    assert api.get(f"/v1/products/{product['id']}").json()["images"] == []


def test_only_the_owner_gets_an_upload_url(api, verified_vendor, pending_vendor):
    product = list_product(api, verified_vendor)

    response = api.post(f"/v1/products/{product['id']}/images", headers=pending_vendor.auth,
                        json={"content_type": "image/jpeg", "size": 1000})

    assert response.status_code == 403


def test_the_upload_url_is_bound_to_type_and_size(api, verified_vendor):
    product = list_product(api, verified_vendor)

    ticket = api.post(f"/v1/products/{product['id']}/images", headers=verified_vendor.auth,
                      json={"content_type": "image/png", "size": 1234}).json()

    assert ticket["upload_headers"] == {"Content-Type": "image/png",
                                        "x-goog-content-length-range": "1234,1234"}
    assert "X-Goog-Signature=" in ticket["upload_url"]
    assert "content-type%3Bhost%3Bx-goog-content-length-range" in ticket["upload_url"]
    pending = api.get(f"/v1/products/{product['id']}").json()["images"]
    assert [(i["id"], i["status"]) for i in pending] == [(ticket["image_id"], "pending")]


def test_a_product_has_at_most_ten_images(api, verified_vendor):
    product = list_product(api, verified_vendor)
    path, body = f"/v1/products/{product['id']}/images", {"content_type": "image/jpeg",
                                                          "size": 1000}
    statuses = [api.post(path, headers=verified_vendor.auth, json=body).status_code
                for _ in range(10)]

    eleventh = api.post(path, headers=verified_vendor.auth, json=body)

    assert statuses == [201] * 10
    assert (eleventh.status_code, eleventh.json()["code"]) == (409, "invalid_state")
    assert len(api.get(f"/v1/products/{product['id']}").json()["images"]) == 10
