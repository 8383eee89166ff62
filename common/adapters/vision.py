"""The production image backend on Cloud Vision: labels and objects, similar products, and the
Product Search catalog those similar products come from.

google-cloud-vision is imported when an adapter is built, never at module import, so a function
on the local backend does not pay for it. With `endpoint`
the clients speak REST to that address (tests point it at a local stand-in); without, gRPC to
Google with the default credentials. The client's own retries (up to 600 s) are off: a transient
failure (5xx, UNAVAILABLE, DEADLINE_EXCEEDED, quota, network) raises ServiceUnavailable("vision")
at once and the caller retries (Pub/Sub redelivers, HTTP answers 503). Other Vision errors
(INVALID_ARGUMENT, PERMISSION_DENIED, ...) propagate as google.api_core exceptions.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING, Any, Iterator

from common.domain.errors import ServiceUnavailable
from common.domain.images import DetectedObject, Label, Recognition, rendition_size, top_labels

if TYPE_CHECKING:
    from common.imaging.decode import DecodedImage

# Vision needs no more than this; the image travels base64 in the request.
MAX_SIDE = 1024
JPEG_QUALITY = 90
MAX_LABEL_RESULTS = 10
TIMEOUT_S = 30.0
LABEL_DETECTION = "LABEL_DETECTION"
OBJECT_LOCALIZATION = "OBJECT_LOCALIZATION"
PRODUCT_SEARCH = "PRODUCT_SEARCH"


class VisionImageRecognizer:
    """Labels and localised objects from one images:annotate call; no embedding (Vision Product
    Search finds similar images itself). Takes its siblings' arguments so bootstrap builds all
    three alike; it needs none of the product-set ones."""

    def __init__(self, project_id: str, location: str, product_set_id: str,
                 product_category: str = "general-v1", *, endpoint: str | None = None,
                 credentials: Any = None, timeout_s: float = TIMEOUT_S) -> None:
        from google.cloud import vision

        self._client = _client(vision.ImageAnnotatorClient, endpoint, credentials)
        self._timeout_s = timeout_s

    def recognize(self, image: "DecodedImage") -> Recognition:
        """Raises ServiceUnavailable when Vision is down or overloaded."""
        features = [_feature(LABEL_DETECTION, MAX_LABEL_RESULTS), _feature(OBJECT_LOCALIZATION)]
        response = _annotate(self._client, image, features, None, self._timeout_s)
        labels = [Label(found.description, found.score) for found in response.label_annotations]
        objects = tuple(
            DetectedObject(found.name, round(found.score, 4), _box(found.bounding_poly))
            for found in response.localized_object_annotations)
        return Recognition(labels=top_labels(labels), objects=objects, embedding=None)


class VisionSimilarProducts:
    """Products whose reference images look like the query image, from Vision Product Search."""

    def __init__(self, project_id: str, location: str, product_set_id: str,
                 product_category: str = "general-v1", *, endpoint: str | None = None,
                 credentials: Any = None, timeout_s: float = TIMEOUT_S) -> None:
        from google.cloud import vision

        self._client = _client(vision.ImageAnnotatorClient, endpoint, credentials)
        self._params = {
            "product_set": f"projects/{project_id}/locations/{location}/productSets/"
                           f"{product_set_id}",
            "product_categories": [product_category],
            "filter": "",
        }
        self._timeout_s = timeout_s

    def find(self, image: "DecodedImage", recognition: Recognition,
             limit: int) -> list[tuple[str, float]]:
        """(product_id, score), best first, one per product, at most `limit`."""
        if limit <= 0:
            return []
        # Headroom: one product can match through several of its reference images.
        features = [_feature(PRODUCT_SEARCH, 2 * limit)]
        context = {"product_search_params": self._params}
        response = _annotate(self._client, image, features, context, self._timeout_s)
        best: dict[str, float] = {}
        for result in response.product_search_results.results:
            product_id = result.product.name.rsplit("/", 1)[-1]
            best[product_id] = max(best.get(product_id, 0.0), result.score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [(product_id, round(score, 4)) for product_id, score in ranked]


class VisionProductCatalog:
    """Keeps the Product Search product set in step with our ready images. Every call is safe to
    repeat: the indexing function that makes it is retried at least once."""

    def __init__(self, project_id: str, location: str, product_set_id: str,
                 product_category: str = "general-v1", *, endpoint: str | None = None,
                 credentials: Any = None, timeout_s: float = TIMEOUT_S) -> None:
        from google.cloud import vision

        self._client = _client(vision.ProductSearchClient, endpoint, credentials)
        self._parent = f"projects/{project_id}/locations/{location}"
        self._set_id = product_set_id
        self._set = f"{self._parent}/productSets/{product_set_id}"
        self._category = product_category
        self._options = {"retry": None, "timeout": timeout_s}

    def add(self, product_id: str, image_id: str, gcs_uri: str) -> None:
        """Make `gcs_uri` (gs://...) a reference image of `product_id` in the product set,
        creating the product and the set on first use."""
        product = f"{self._parent}/products/{product_id}"
        with _vision_errors():
            with _unless("ALREADY_EXISTS"):
                self._client.create_product(
                    parent=self._parent, product_id=product_id,
                    product={"display_name": product_id, "product_category": self._category},
                    **self._options)
            self._add_to_set(product)
            with _unless("ALREADY_EXISTS"):
                self._client.create_reference_image(
                    parent=product, reference_image={"uri": gcs_uri},
                    reference_image_id=image_id, **self._options)

    def remove(self, product_id: str, image_id: str) -> None:
        """Delete the reference image; one that is already gone is fine."""
        name = f"{self._parent}/products/{product_id}/referenceImages/{image_id}"
        with _vision_errors(), _unless("NOT_FOUND"):
            self._client.delete_reference_image(name=name, **self._options)

    def _add_to_set(self, product: str) -> None:
        from google.api_core import exceptions

        try:
            with _unless("ALREADY_EXISTS"):
                self._client.add_product_to_product_set(
                    name=self._set, product=product, **self._options)
        except exceptions.NotFound:
            # The product exists by now, so the set does not: create it and try again.
            with _unless("ALREADY_EXISTS"):
                self._client.create_product_set(
                    parent=self._parent, product_set_id=self._set_id,
                    product_set={"display_name": self._set_id}, **self._options)
            with _unless("ALREADY_EXISTS"):
                self._client.add_product_to_product_set(
                    name=self._set, product=product, **self._options)


def _client(client_class: Any, endpoint: str | None, credentials: Any) -> Any:
    """gRPC to Google, or REST to `endpoint` (whose http:// scheme the REST transport keeps)."""
    if endpoint is None:
        return client_class(credentials=credentials)
    return client_class(credentials=credentials, transport="rest",
                        client_options={"api_endpoint": endpoint})


def _feature(kind: str, max_results: int | None = None) -> dict[str, Any]:
    feature: dict[str, Any] = {"type_": kind}
    if max_results is not None:
        feature["max_results"] = max_results
    return feature


def _annotate(client: Any, image: "DecodedImage", features: list[dict[str, Any]],
              context: dict[str, Any] | None, timeout_s: float) -> Any:
    """One images:annotate call for one image; its per-image `error` is raised, not returned."""
    from google.api_core import exceptions

    request: dict[str, Any] = {"image": {"content": _jpeg(image)}, "features": features}
    if context:
        request["image_context"] = context
    with _vision_errors():
        batch = client.batch_annotate_images(requests=[request], retry=None, timeout=timeout_s)
        if not batch.responses:
            raise exceptions.InternalServerError("images:annotate answered no response")
        response = batch.responses[0]
        if response.error.code or response.error.message:
            raise exceptions.from_grpc_status(response.error.code, response.error.message)
    return response


def _jpeg(image: "DecodedImage") -> bytes:
    """The pixels as a JPEG whose longer side is at most MAX_SIDE px (never scaled up)."""
    from PIL import Image  # here: removing a reference image (image deletion) needs no Pillow

    pixels = image.pixels
    size = rendition_size(pixels.width, pixels.height, MAX_SIDE)
    if size != pixels.size:
        pixels = pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = io.BytesIO()
    pixels.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _box(polygon: Any) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in 0..1 around the normalised vertices (whole image if none)."""
    xs = [min(1.0, max(0.0, vertex.x)) for vertex in polygon.normalized_vertices] or [0.0, 1.0]
    ys = [min(1.0, max(0.0, vertex.y)) for vertex in polygon.normalized_vertices] or [0.0, 1.0]
    return round(min(xs), 4), round(min(ys), 4), round(max(xs), 4), round(max(ys), 4)


@contextlib.contextmanager
def _vision_errors() -> Iterator[None]:
    """Raise ServiceUnavailable("vision") for what a later retry may cure; let the rest pass."""
    import requests
    from google.api_core import exceptions
    from google.auth.exceptions import TransportError

    try:
        yield
    except (exceptions.ServerError, exceptions.TooManyRequests, TransportError,
            requests.ConnectionError, requests.Timeout) as error:
        raise ServiceUnavailable("vision", error) from error


@contextlib.contextmanager
def _unless(status: str) -> Iterator[None]:
    """Swallow the error with this google.rpc.Code name: what the call wanted is already so."""
    from google.api_core import exceptions

    try:
        yield
    except exceptions.GoogleAPICallError as error:
        if _rpc_status(error) != status:
            raise


def _rpc_status(error: Any) -> str:
    """The google.rpc.Code name of a client-library error: gRPC carries it, REST maps 409 to
    Conflict for both ALREADY_EXISTS and ABORTED, so read it from the body's `error.status`."""
    if error.grpc_status_code is not None:
        return error.grpc_status_code.name
    with contextlib.suppress(AttributeError, ValueError, KeyError, TypeError):
        return str(error.response.json()["error"]["status"])
    return ""
