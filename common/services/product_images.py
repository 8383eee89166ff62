"""Product images: hand out a signed upload URL, then validate and index what arrives.

The bucket's object-finalize event runs `index_uploaded_image`. The image row is locked
for the whole run, so a duplicate or concurrent delivery waits and then finds the image
no longer pending: it does nothing twice. Renditions are written before the commit under
names that hold the image id, so a crash between the two leaves only files that the retry
overwrites; the upload itself (with its EXIF/GPS metadata) is deleted after the commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from common.domain.catalog import ensure_may_list, ensure_owner, lexicon_words
from common.domain.errors import InvalidState, UnsupportedImage
from common.domain.events import Event
from common.domain.identity import Principal
from common.domain.images import (
    MAX_BYTES,
    MAX_IMAGES_PER_PRODUCT,
    ImageStatus,
    check_declared_upload,
)
from common.logs import log
from common.services.ports import (
    ImageRecognizer,
    ImageStore,
    ProductImageCatalog,
    UnitOfWorkFactory,
)

logger = logging.getLogger(__name__)
OBJECT_PREFIX = "products/"


@dataclass(frozen=True)
class UploadTicket:
    image_id: str
    upload_url: str
    upload_headers: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    name: str
    generation: int | None


def request_image_upload(principal: Principal, product_id: str, content_type: str, size: int,
                         *, uow: UnitOfWorkFactory, store: ImageStore) -> UploadTicket:
    """Register a pending image and sign a PUT URL for exactly this type and size."""
    ensure_may_list(principal)
    check_declared_upload(content_type, size)
    image_id = str(uuid.uuid4())
    object_name = f"{OBJECT_PREFIX}{product_id}/{image_id}"
    with uow() as tx:
        ensure_owner(tx.catalog.get(product_id, for_update=True), principal)
        if tx.catalog.live_image_count(product_id) >= MAX_IMAGES_PER_PRODUCT:
            raise InvalidState(f"A product has at most {MAX_IMAGES_PER_PRODUCT} images; "
                               "delete one first.")
        tx.catalog.add_image(image_id, product_id, object_name, content_type, size)
        url, headers, expires_at = store.signed_upload(object_name, content_type, size)
        tx.commit()
    return UploadTicket(image_id, url, headers, expires_at)


def index_uploaded_image(uploaded: UploadedObject, *, uow: UnitOfWorkFactory, store: ImageStore,
                         recognizer: ImageRecognizer, catalog: ProductImageCatalog) -> str:
    """Validate, strip, render, recognise and index one upload; returns what happened."""
    if not uploaded.name.startswith(OBJECT_PREFIX):
        return "ignored"
    with uow() as tx:
        image = tx.catalog.image_by_object(uploaded.name, for_update=True)
        if image is None or image.status is not ImageStatus.PENDING:
            outcome = "unknown" if image is None else "duplicate"
        else:
            data = store.read_upload(uploaded.name, uploaded.generation, MAX_BYTES)
            if data is None:
                return "gone"
            outcome = _index(tx, image, data, store, recognizer, catalog)
            tx.commit()
    store.delete_upload(uploaded.name, uploaded.generation)
    return outcome


def _index(tx, image, data: bytes, store: ImageStore, recognizer: ImageRecognizer,  # noqa: ANN001
           catalog: ProductImageCatalog) -> str:
    # Imported here: the upload-URL function shares this module but not the imaging libraries.
    from common.imaging.decode import decode
    from common.imaging.renditions import CONTENT_TYPE, webp_renditions

    try:
        if len(data) != image.declared_size:
            raise UnsupportedImage(
                f"The file is {len(data)} bytes, not the {image.declared_size} declared.")
        decoded = decode(data, image.content_type)
    except UnsupportedImage as refusal:
        tx.catalog.mark_rejected(image.id, refusal.detail)
        tx.record(Event("product.image_rejected", {
            "product_id": image.product_id, "image_id": image.id, "reason": refusal.detail}))
        log(logger, logging.INFO, "image rejected", image_id=image.id, reason=refusal.detail)
        return "rejected"
    names = {}
    for rendition, webp in webp_renditions(decoded).items():
        names[rendition] = f"{OBJECT_PREFIX}{image.product_id}/{image.id}/{rendition}.webp"
        store.write_rendition(names[rendition], webp, CONTENT_TYPE)
    recognition = recognizer.recognize(decoded)
    catalog.add(image.product_id, image.id, store.rendition_uri(names["display"]))
    tx.catalog.mark_ready(image.id, decoded.width, decoded.height, recognition, names)
    tx.catalog.add_words(lexicon_words(tx.catalog.refresh_image_labels(image.product_id)))
    tx.record(Event("product.image_indexed", {
        "product_id": image.product_id, "image_id": image.id,
        "labels": [label.name for label in recognition.labels]}))
    return "ready"
