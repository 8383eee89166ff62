"""Rules for product images: what may be uploaded, the renditions we serve, what a label is.

Plain values only; decoding lives in common/imaging, storage in common/adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from common.domain.errors import UnsupportedImage

# Content type -> the format its bytes must have (Pillow's names).
ACCEPTED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 20_000
MAX_IMAGES_PER_PRODUCT = 10
# A search photo is only looked at, never kept: its own, smaller limit (the contract's).
QUERY_MAX_PIXELS = 12_000_000
QUERY_LIMIT_TEXT = "12 megapixels (4,000 × 3,000)"
# An upload URL unused this long after it expired will never bring its image: the image is
# expired (it stops counting toward MAX_IMAGES_PER_PRODUCT, a late upload is not indexed).
UPLOAD_GRACE_S = 30 * 60
# One indexing run holds its claim this long; a redelivery after that may take it over.
INDEXING_LEASE_S = 120
# A claim nobody finished or took over for this long (retries exhausted) expires the image.
ABANDONED_CLAIM_S = 24 * 3600
# Rendition name -> longest side in pixels; every rendition is WebP without metadata.
RENDITIONS = {"thumbnail": 320, "display": 1280}
RENDITION_QUALITY = 82
# A label is kept when the recognizer is at least this sure, at most this many per image.
MIN_LABEL_SCORE = 0.05
MAX_LABELS = 5


class ImageStatus(StrEnum):
    PENDING = "pending"  # waiting for its upload
    PROCESSING = "processing"  # claimed by one indexing run (shown as pending)
    READY = "ready"
    REJECTED = "rejected"
    EXPIRED = "expired"  # its upload never came (never shown)
    DELETED = "deleted"  # by its vendor (never shown)


# What a client is told: an image being indexed is still pending for it.
SHOWN_STATUS = {ImageStatus.PROCESSING: ImageStatus.PENDING}


@dataclass(frozen=True)
class StoredImage:
    """Where an image's files live outside the database: its upload's object name, and
    renditions and a similar-image reference found from the product and image ids."""

    product_id: str
    image_id: str
    object_name: str


@dataclass(frozen=True)
class Label:
    name: str
    score: float


@dataclass(frozen=True)
class DetectedObject:
    name: str
    score: float
    # Normalised bounding box (0..1): left, top, right, bottom.
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Recognition:
    """What a recognizer saw: labels, localised objects, and an L2-normalised embedding
    (None when the backend searches similar images itself, as Vision Product Search does)."""

    labels: tuple[Label, ...]
    objects: tuple[DetectedObject, ...] = ()
    embedding: tuple[float, ...] | None = None


def check_declared_upload(content_type: str, size: int) -> None:
    """Refuse an upload request before any URL is signed; raises UnsupportedImage."""
    if content_type not in ACCEPTED_TYPES:
        raise UnsupportedImage(
            f"Upload a JPEG, PNG or WebP image (got {content_type[:60]!r}).",
            accepted=sorted(ACCEPTED_TYPES))
    if not 0 < size <= MAX_BYTES:
        raise UnsupportedImage(f"Images must be 1 byte to {MAX_BYTES} bytes (10 MB).",
                               max_bytes=MAX_BYTES)


def top_labels(scored: list[Label]) -> tuple[Label, ...]:
    """The labels worth showing: the most certain first, duplicates of a name merged."""
    best: dict[str, float] = {}
    for label in scored:
        if label.score >= MIN_LABEL_SCORE:
            best[label.name] = max(best.get(label.name, 0.0), label.score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:MAX_LABELS]
    return tuple(Label(name, round(score, 4)) for name, score in ranked)


def rendition_size(width: int, height: int, longest: int) -> tuple[int, int]:
    """Scale (width, height) down so the longer side is at most `longest`; never up."""
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
