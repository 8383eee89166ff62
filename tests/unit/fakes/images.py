"""Fakes of the image ports: the buckets, the recognizer and the similar-image indexes."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.domain.images import Recognition
from common.imaging.decode import DecodedImage
from tests.unit.fakes.base import Breakable, FakeClock

RENDITIONS_BUCKET = "bazaar-renditions"


class FakeImageStore(Breakable):
    """Both buckets in memory: `uploads` by object name, `renditions` as (bytes, type)."""

    def __init__(self, clock: FakeClock | None = None, url_ttl_s: int = 900) -> None:
        super().__init__()
        self.clock = clock or FakeClock()
        self.url_ttl_s = url_ttl_s
        self.uploads: dict[str, bytes] = {}
        self.renditions: dict[str, tuple[bytes, str]] = {}
        self.signed: list[tuple[str, str, int]] = []

    def signed_upload(self, object_name: str, content_type: str,
                      size: int) -> tuple[str, dict[str, str], datetime]:
        self._before("signed_upload")
        self.signed.append((object_name, content_type, size))
        headers = {"Content-Type": content_type, "x-goog-content-length-range": f"{size},{size}"}
        return (f"https://storage.example/uploads/{object_name}?signed", headers,
                self.clock.now + timedelta(seconds=self.url_ttl_s))

    def read_upload(self, object_name: str, generation: int | None,
                    max_bytes: int) -> bytes | None:
        self._before("read_upload")
        data = self.uploads.get(object_name)
        return None if data is None else data[:max_bytes + 1]

    def delete_upload(self, object_name: str, generation: int | None = None) -> None:
        self._before("delete_upload")
        self.uploads.pop(object_name, None)

    def write_rendition(self, object_name: str, data: bytes, content_type: str) -> None:
        self._before("write_rendition")
        self.renditions[object_name] = (data, content_type)

    def delete_rendition(self, object_name: str) -> None:
        self._before("delete_rendition")
        self.renditions.pop(object_name, None)

    def rendition_uri(self, object_name: str) -> str:
        return f"gs://{RENDITIONS_BUCKET}/{object_name}"


class FakeImageRecognizer(Breakable):
    """Sees `recognition` in every image; `seen` holds the (width, height) of each pixels
    buffer it was given."""

    def __init__(self, recognition: Recognition) -> None:
        super().__init__()
        self.recognition = recognition
        self.seen: list[tuple[int, int]] = []

    def recognize(self, image: DecodedImage) -> Recognition:
        self._before("recognize")
        self.seen.append(image.pixels.size)
        return self.recognition


class FakeSimilarProducts(Breakable):
    """Answers `scored` (best first), cut at the limit asked for."""

    def __init__(self, scored: list[tuple[str, float]]) -> None:
        super().__init__()
        self.scored = scored
        self.asked: list[tuple[Recognition, int]] = []

    def find(self, image: DecodedImage, recognition: Recognition,
             limit: int) -> list[tuple[str, float]]:
        self._before("find")
        self.asked.append((recognition, limit))
        return self.scored[:limit]


class FakeProductImageCatalog(Breakable):
    """Vision Product Search's reference images: (product id, image id) -> gcs uri."""

    def __init__(self) -> None:
        super().__init__()
        self.references: dict[tuple[str, str], str] = {}

    def add(self, product_id: str, image_id: str, gcs_uri: str) -> None:
        self._before("add")
        self.references[(product_id, image_id)] = gcs_uri

    def remove(self, product_id: str, image_id: str) -> None:
        self._before("remove")
        self.references.pop((product_id, image_id), None)
