"""The Cloud Vision adapters against a local stand-in that speaks Vision's REST wire format."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from PIL import Image

from common.adapters.vision import (
    VisionImageRecognizer,
    VisionProductCatalog,
    VisionSimilarProducts,
)
from common.domain.errors import ServiceUnavailable
from common.domain.images import DetectedObject, Label, Recognition
from common.imaging.decode import DecodedImage, decode
from devstack.ports import free_port
from tests.integration.vision_wire import VisionWire, feature_types, serve_vision

PROJECT = "bazaar-test"
LOCATION = "europe-west1"
PARENT = f"projects/{PROJECT}/locations/{LOCATION}"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wire() -> Iterator[VisionWire]:
    with serve_vision() as served:
        yield served


def _adapter(kind: type, wire: VisionWire, product_set: str = "bazaar-products",
             endpoint: str | None = None):
    return kind(PROJECT, LOCATION, product_set, endpoint=endpoint or wire.url,
                credentials=AnonymousCredentials())


def _image(width: int = 640, height: int = 480) -> DecodedImage:
    pixels = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    data = io.BytesIO()
    pixels.save(data, "PNG")
    return decode(data.getvalue(), "image/png")


def _sent_image(wire: VisionWire) -> Image.Image:
    content = wire.calls[0].body["requests"][0]["image"]["content"]
    return Image.open(io.BytesIO(base64.b64decode(content)))


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- recognize --------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "sent"), [
    ((2000, 1500), (1024, 768)),
    ((600, 1800), (341, 1024)),
    ((300, 200), (300, 200)),
], ids=["landscape-downscaled", "portrait-downscaled", "small-kept"])
def test_recognize_sends_one_annotate_request_with_both_features_and_a_small_jpeg(
        wire, size, sent):
    # Given a recognizer and an image
    recognizer = _adapter(VisionImageRecognizer, wire)

    # When it recognizes the image
    recognizer.recognize(_image(*size))

    # Then one images:annotate request carried both features and a JPEG of at most 1024 px
    assert [(call.method, call.path) for call in wire.calls] == [("POST", "/v1/images:annotate")]
    assert len(wire.calls[0].body["requests"]) == 1
    assert feature_types(wire.calls[0]) == [
        {"type": "LABEL_DETECTION", "maxResults": 10}, {"type": "OBJECT_LOCALIZATION"}]
    assert "imageContext" not in wire.calls[0].body["requests"][0]
    sent_image = _sent_image(wire)
    assert (sent_image.format, sent_image.size) == ("JPEG", sent)


def test_recognize_maps_labels_and_objects(wire):
    # Given Vision sees labels (one barely) and two localised objects
    wire.annotation = {
        "labelAnnotations": [
            {"mid": "/m/01", "description": "Shoe", "score": 0.97, "topicality": 0.97},
            {"mid": "/m/02", "description": "Footwear", "score": 0.9},
            {"mid": "/m/03", "description": "Sneakers", "score": 0.91},
            {"mid": "/m/04", "description": "Plant", "score": 0.01},
        ],
        "localizedObjectAnnotations": [
            {"mid": "/m/01", "name": "Shoe", "score": 0.88, "boundingPoly": {"normalizedVertices": [
                {"x": 0.1, "y": 0.2}, {"x": 0.6, "y": 0.2}, {"x": 0.6, "y": 0.9},
                {"x": 0.1, "y": 0.9}]}},
            # Vision leaves out coordinates that are 0 (proto3 JSON defaults).
            {"mid": "/m/05", "name": "Box", "score": 0.5, "boundingPoly": {"normalizedVertices": [
                {}, {"x": 0.25}, {"x": 0.25, "y": 0.5}, {"y": 0.5}]}},
        ],
    }

    # When an image is recognized
    recognition = _adapter(VisionImageRecognizer, wire).recognize(_image())

    # Then labels pass through top_labels (0.01 dropped, best first) and objects keep their boxes
    assert recognition == Recognition(
        labels=(Label("Shoe", 0.97), Label("Sneakers", 0.91), Label("Footwear", 0.9)),
        objects=(DetectedObject("Shoe", 0.88, (0.1, 0.2, 0.6, 0.9)),
                 DetectedObject("Box", 0.5, (0.0, 0.0, 0.25, 0.5))),
        embedding=None)


def test_recognize_with_nothing_seen_is_empty(wire):
    assert _adapter(VisionImageRecognizer, wire).recognize(_image()) == Recognition(labels=())


# --- find ---------------------------------------------------------------------------------------
def _result(product_id: str, score: float, image: str = "i1") -> dict:
    name = f"{PARENT}/products/{product_id}"
    return {"product": {"name": name, "displayName": product_id,
                        "productCategory": "general-v1"},
            "score": score, "image": f"{name}/referenceImages/{image}"}


def test_find_merges_products_keeps_best_score_and_honours_limit(wire):
    # Given Product Search matches p-2 through two reference images
    wire.annotation = {"productSearchResults": {"indexTime": "2026-01-01T00:00:00Z", "results": [
        _result("p-2", 0.83, "i2"), _result("p-1", 0.61), _result("p-2", 0.55, "i1"),
        _result("p-3", 0.7), _result("p-4", 0.2)]}}
    similar = _adapter(VisionSimilarProducts, wire, product_set="shop-set")

    # When the best three are asked for
    found = similar.find(_image(), Recognition(labels=()), limit=3)

    # Then each product appears once with its best score, best first
    assert found == [("p-2", 0.83), ("p-3", 0.7), ("p-1", 0.61)]
    # And the request searched our product set in our category
    assert [(call.method, call.path) for call in wire.calls] == [("POST", "/v1/images:annotate")]
    request = wire.calls[0].body["requests"][0]
    assert feature_types(wire.calls[0]) == [{"type": "PRODUCT_SEARCH", "maxResults": 6}]
    # proto3 JSON leaves the empty filter out.
    assert request["imageContext"] == {"productSearchParams": {
        "productSet": f"{PARENT}/productSets/shop-set", "productCategories": ["general-v1"]}}
    assert _sent_image(wire).format == "JPEG"


def test_find_with_no_match_is_empty(wire):
    wire.annotation = {"productSearchResults": {}}
    assert _adapter(VisionSimilarProducts, wire).find(_image(), Recognition(()), 5) == []


# --- catalog ------------------------------------------------------------------------------------
def _catalog_calls(wire: VisionWire) -> list[tuple[str, str, dict]]:
    return [(call.method, call.path.removeprefix(f"/v1/{PARENT}"),
             {key: value for key, value in call.query.items() if not key.startswith("$")})
            for call in wire.calls]


def test_add_on_first_use_creates_product_set_product_and_reference_image(wire):
    # Given an empty Product Search project
    product_set, product_id, image_id = _unique("set"), _unique("p"), _unique("img")
    catalog = _adapter(VisionProductCatalog, wire, product_set=product_set)

    # When the first image is added
    catalog.add(product_id, image_id, f"gs://uploads/{image_id}")

    # Then the product, the set (on NOT_FOUND) and the reference image were created
    assert _catalog_calls(wire) == [
        ("POST", "/products", {"productId": product_id}),
        ("POST", f"/productSets/{product_set}:addProduct", {}),
        ("POST", "/productSets", {"productSetId": product_set}),
        ("POST", f"/productSets/{product_set}:addProduct", {}),
        ("POST", f"/products/{product_id}/referenceImages", {"referenceImageId": image_id}),
    ]
    product = f"{PARENT}/products/{product_id}"
    assert wire.products[product] == {
        "name": product, "displayName": product_id, "productCategory": "general-v1"}
    assert wire.product_sets[f"{PARENT}/productSets/{product_set}"]["displayName"] == product_set
    assert wire.members == {(f"{PARENT}/productSets/{product_set}", product)}
    assert wire.reference_images == {f"{product}/referenceImages/{image_id}": {
        "name": f"{product}/referenceImages/{image_id}", "uri": f"gs://uploads/{image_id}"}}


def test_add_to_an_existing_set_does_not_create_it_again(wire):
    # Given a set that already holds one product
    catalog = _adapter(VisionProductCatalog, wire, product_set="shared")
    catalog.add("p-1", "i-1", "gs://uploads/i-1")
    wire.calls.clear()

    # When another product's image is added
    catalog.add("p-2", "i-2", "gs://uploads/i-2")

    # Then three calls did it
    assert [path for _, path, _ in _catalog_calls(wire)] == [
        "/products", "/productSets/shared:addProduct", "/products/p-2/referenceImages"]


@pytest.mark.parametrize("answer", ["stateful", "409-everywhere"])
def test_add_again_succeeds_when_it_all_exists_already(wire, answer):
    # Given an image that was added once
    catalog = _adapter(VisionProductCatalog, wire)
    catalog.add("p-1", "i-1", "gs://uploads/i-1")
    wire.calls.clear()
    if answer == "409-everywhere":
        wire.always = "ALREADY_EXISTS"

    # When the indexing function is retried and adds it again, it succeeds
    catalog.add("p-1", "i-1", "gs://uploads/i-1")

    # And it went through product, membership and reference image once each
    assert [path for _, path, _ in _catalog_calls(wire)] == [
        "/products", "/productSets/bazaar-products:addProduct", "/products/p-1/referenceImages"]
    assert len(wire.reference_images) == 1


def test_remove_deletes_the_reference_image_and_a_missing_one_is_fine(wire):
    # Given an indexed image
    catalog = _adapter(VisionProductCatalog, wire)
    catalog.add("p-1", "i-1", "gs://uploads/i-1")
    wire.calls.clear()

    # When it is removed twice (the second answers 404 NOT_FOUND)
    catalog.remove("p-1", "i-1")
    catalog.remove("p-1", "i-1")

    # Then both calls deleted the reference image and neither raised
    assert _catalog_calls(wire) == [
        ("DELETE", "/products/p-1/referenceImages/i-1", {}),
        ("DELETE", "/products/p-1/referenceImages/i-1", {})]
    assert wire.reference_images == {}


@pytest.mark.parametrize("status", ["ABORTED", "PERMISSION_DENIED"])
def test_add_does_not_mistake_other_errors_for_already_exists(wire, status):
    wire.fail(status)
    with pytest.raises(exceptions.ClientError) as raised:
        _adapter(VisionProductCatalog, wire).add("p-1", "i-1", "gs://uploads/i-1")
    assert raised.value.code == {"ABORTED": 409, "PERMISSION_DENIED": 403}[status]
    assert len(wire.calls) == 1


# --- failures -----------------------------------------------------------------------------------
OPERATIONS = {
    "recognize": lambda wire: _adapter(VisionImageRecognizer, wire).recognize(_image()),
    "find": lambda wire: _adapter(VisionSimilarProducts, wire).find(_image(), Recognition(()), 5),
    "add": lambda wire: _adapter(VisionProductCatalog, wire).add("p", "i", "gs://uploads/i"),
    "remove": lambda wire: _adapter(VisionProductCatalog, wire).remove("p", "i"),
}


@pytest.mark.parametrize("status", ["UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED",
                                    "RESOURCE_EXHAUSTED"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_transient_server_error_raises_service_unavailable(wire, operation, status):
    # Given Vision answers every request with a transient error
    wire.always = status

    # When any operation runs, Then it raises ServiceUnavailable("vision") after one request
    with pytest.raises(ServiceUnavailable) as raised:
        OPERATIONS[operation](wire)
    assert raised.value.dependency == "vision"
    assert isinstance(raised.value.__cause__, exceptions.GoogleAPICallError)
    assert len(wire.calls) == 1


@pytest.mark.parametrize("operation", ["recognize", "find"])
def test_a_per_image_transient_error_raises_service_unavailable(wire, operation):
    # Given images:annotate answers 200 with an UNAVAILABLE status for the image
    wire.annotation = {"error": {"code": 14, "message": "The service is unavailable."}}

    with pytest.raises(ServiceUnavailable) as raised:
        OPERATIONS[operation](wire)
    assert isinstance(raised.value.__cause__, exceptions.ServiceUnavailable)


def test_a_per_image_invalid_argument_raises_it(wire):
    wire.annotation = {"error": {"code": 3, "message": "Bad image data."}}

    with pytest.raises(exceptions.InvalidArgument, match="Bad image data."):
        _adapter(VisionImageRecognizer, wire).recognize(_image())


def test_an_unreachable_endpoint_raises_service_unavailable(wire):
    nowhere = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServiceUnavailable):
        _adapter(VisionImageRecognizer, wire, endpoint=nowhere).recognize(_image())


def test_importing_the_module_does_not_load_the_vision_library():
    code = ("import sys, common.adapters.vision as v;"
            "print(any(name.startswith(('google.cloud.vision', 'google.api_core'))"
            " for name in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "False"
