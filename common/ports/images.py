"""Image files and what is seen in them: the buckets, the recognizer, and the similar-image
indexes (pgvector locally, Vision Product Search in production)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from common.domain.images import Recognition

if TYPE_CHECKING:
    from common.imaging.decode import DecodedImage


class ImageRecognizer(Protocol):
    """Labels, objects and (for backends that search by vector) an embedding of an image."""

    def recognize(self, image: DecodedImage) -> Recognition: ...


class SimilarProducts(Protocol):
    """Products whose ready images look most like `image`: (product_id, score in 0..1), best
    first, at most `limit`, one entry per product."""

    def find(self, image: DecodedImage, recognition: Recognition,
             limit: int) -> list[tuple[str, float]]: ...


class ProductImageCatalog(Protocol):
    """Keeps a similar-image index outside our database (Vision Product Search) in step."""

    def add(self, product_id: str, image_id: str, gcs_uri: str) -> None: ...
    def remove(self, product_id: str, image_id: str) -> None: ...


class ImageStore(Protocol):
    """Uploads arrive in a private bucket through signed URLs; renditions go to a public one."""

    def signed_upload(self, object_name: str, content_type: str,
                      size: int) -> tuple[str, dict[str, str], datetime]:
        """A PUT URL for exactly this type and size, its required headers, and its expiry."""
        ...

    def read_upload(self, object_name: str, generation: int | None,
                    max_bytes: int) -> bytes | None:
        """The upload's bytes (at most `max_bytes`), or None if it is gone."""
        ...

    def delete_upload(self, object_name: str, generation: int | None = None) -> None: ...
    def write_rendition(self, object_name: str, data: bytes, content_type: str) -> None: ...
    def delete_rendition(self, object_name: str) -> None: ...
    def rendition_uri(self, object_name: str) -> str: ...
