"""Search by image refuses what is not a usable photo, with the contract's problems."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.catalog import jpeg, scene


def gif() -> bytes:
    buffer = io.BytesIO()
    scene(seed=5, size=(64, 64)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize("data,detail", [
    (b"not an image at all", "not a JPEG, PNG or WebP"),
    (gif(), "not a JPEG, PNG or WebP"),
    (jpeg(scene(seed=6))[:1500], "truncated or corrupt"),
], ids=["text", "gif", "truncated"])
def test_files_that_are_not_photos_are_unsupported_images(api, data, detail):
    response = api.post("/v1/products:searchByImage", files={"image": ("x.jpg", data)})

    assert (response.status_code, response.json()["code"]) == (422, "unsupported_image")
    assert detail in response.json()["detail"]


def test_a_photo_over_ten_megabytes_is_413(api):
    huge = b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 10)

    response = api.post("/v1/products:searchByImage", files={"image": ("big.jpg", huge)})

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")


def test_the_photo_must_come_as_multipart_field_image(api):
    as_json = api.post("/v1/products:searchByImage", json={"image": "aGVsbG8="})
    wrong_field = api.post("/v1/products:searchByImage",
                           files={"photo": ("x.jpg", jpeg(scene(seed=7)))})

    assert (as_json.status_code, as_json.json()["code"]) == (415, "unsupported_media_type")
    assert (wrong_field.status_code, wrong_field.json()["errors"]) == (
        422, [{"field": "image", "message": "attach the file here"}])


def test_a_plain_photo_gets_labels_and_scored_products(api):
    photo = Image.new("RGB", (300, 200), (250, 250, 250))

    response = api.post("/v1/products:searchByImage", files={"image": ("p.jpg", jpeg(photo))})

    body = response.json()
    assert response.status_code == 200 and set(body) == {"labels", "items"}
    assert all(0 <= item["score"] <= 1 for item in body["items"])
    assert [item["score"] for item in body["items"]] == sorted(
        (item["score"] for item in body["items"]), reverse=True)


def test_a_small_file_of_more_than_twelve_megapixels_is_refused_naming_the_limit(api):
    # A 17 KB palette PNG with transparency whose header says 4100×3000 (12.3 megapixels)
    image = Image.new("P", (4_100, 3_000), 0)
    image.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    response = api.post("/v1/products:searchByImage",
                        files={"image": ("big.png", buffer.getvalue(), "image/png")})

    assert (response.status_code, response.json()["code"]) == (422, "unsupported_image")
    assert "12 megapixels (4,000 × 3,000)" in response.json()["detail"]
    assert response.json()["max_pixels"] == 12_000_000


def test_a_palette_photo_with_transparency_within_the_limit_is_searched(api):
    image = Image.new("P", (4_000, 3_000), 0)
    image.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    image.paste(1, (1_000, 750, 2_000, 1_500))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    response = api.post("/v1/products:searchByImage",
                        files={"image": ("ok.png", buffer.getvalue(), "image/png")})

    assert response.status_code == 200, response.text
