"""Product images: hand out a signed upload URL, index what arrives, expire and delete.

Indexing holds no transaction across I/O. It claims the image (pending -> processing, with
a lease) in a short transaction; reads the upload, decodes it, writes renditions, runs the
recognizer and the similar-image index outside any transaction; and finishes in a short
transaction that acts only if its claim still holds. A duplicate delivery finds the image
claimed (and raises IndexingDeferred, to be delivered again) or done (and does nothing).
A run that lost its claim commits nothing, and removes what it put outside when the image
is gone (deleted or expired). A crash half-way leaves a claim that a redelivery takes over
once its lease ends; renditions are written under names holding the image id, so a retry
overwrites them. Expired and deleted images are never indexed, shown or counted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.domain.catalog import ensure_may_list, ensure_owner, lexicon_words
from common.domain.errors import InvalidState, NotFound, ServiceUnavailable, UnsupportedImage
from common.domain.events import ProductImageDeleted, ProductImageIndexed, ProductImageRejected
from common.domain.identity import Principal
from common.domain.images import (
    ABANDONED_CLAIM_S,
    INDEXING_LEASE_S,
    MAX_BYTES,
    MAX_IMAGES_PER_PRODUCT,
    RENDITIONS,
    UPLOAD_GRACE_S,
    ImageStatus,
    Recognition,
    check_declared_upload,
)
from common.logs import log
from common.ports.images import ImageRecognizer, ImageStore, ProductImageCatalog
from common.ports.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger(__name__)
OBJECT_PREFIX = "products/"
SWEEP_BATCH = 100


class IndexingDeferred(Exception):
    """The image cannot be claimed now (another run holds it, or its late upload awaits the
    expiry sweep): raised so that the event is delivered again."""


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


@dataclass(frozen=True)
class _Indexed:
    width: int
    height: int
    recognition: Recognition
    renditions: dict[str, str]


def rendition_names(product_id: str, image_id: str) -> dict[str, str]:
    """Rendition name -> object name in the renditions bucket (never reused)."""
    return {name: f"{OBJECT_PREFIX}{product_id}/{image_id}/{name}.webp" for name in RENDITIONS}


def request_image_upload(principal: Principal, product_id: str, content_type: str, size: int,
                         *, uow: UnitOfWorkFactory, store: ImageStore) -> UploadTicket:
    """Register a pending image and sign a PUT URL for exactly this type and size.

    The URL is signed before the transaction (signing may call IAM); it is handed out only
    once the image row is committed."""
    ensure_may_list(principal)
    check_declared_upload(content_type, size)
    image_id = str(uuid.uuid4())
    object_name = f"{OBJECT_PREFIX}{product_id}/{image_id}"
    url, headers, expires_at = store.signed_upload(object_name, content_type, size)
    with uow() as tx:
        ensure_owner(tx.catalog.get(product_id, for_update=True), principal)
        if tx.catalog.live_image_count(product_id) >= MAX_IMAGES_PER_PRODUCT:
            raise InvalidState(f"A product has at most {MAX_IMAGES_PER_PRODUCT} images; "
                               "delete one first.")
        tx.catalog.add_image(image_id, product_id, object_name, content_type, size,
                             expires_at + timedelta(seconds=UPLOAD_GRACE_S))
        tx.commit()
    return UploadTicket(image_id, url, headers, expires_at)


def index_uploaded_image(uploaded: UploadedObject, *, uow: UnitOfWorkFactory, store: ImageStore,
                         recognizer: ImageRecognizer, catalog: ProductImageCatalog) -> str:
    """Validate, strip, render, recognise and index one upload; returns what happened.

    Raises IndexingDeferred while the image cannot be claimed."""
    if not uploaded.name.startswith(OBJECT_PREFIX):
        return "ignored"
    token = str(uuid.uuid4())
    with uow() as tx:
        image = tx.catalog.claim_image(uploaded.name, token, INDEXING_LEASE_S)
        found = image or tx.catalog.image_by_object(uploaded.name)
        tx.commit()
    if image is None:
        return _not_claimed(found, uploaded, store)
    try:
        data = store.read_upload(uploaded.name, uploaded.generation, MAX_BYTES)
        work = None if data is None else _work(image, data, store, recognizer, catalog)
    except BaseException:
        _release(uow, image.id, token)
        raise
    if work is None:
        _release(uow, image.id, token)
        return "gone"
    outcome = _finish(uow, image, token, work)
    if outcome == "lost":
        _remove_outside(image.product_id, image.id, uploaded.name, store, catalog, uow=uow,
                        only=(ImageStatus.DELETED, ImageStatus.EXPIRED))
    else:
        store.delete_upload(uploaded.name, uploaded.generation)
    return outcome


def _not_claimed(image, uploaded: UploadedObject, store: ImageStore) -> str:  # noqa: ANN001
    if image is not None and image.status in (ImageStatus.PROCESSING, ImageStatus.PENDING):
        raise IndexingDeferred(image.id)  # the upload stays: a run may still need it
    store.delete_upload(uploaded.name, uploaded.generation)
    if image is None:
        return "unknown"
    if image.status in (ImageStatus.READY, ImageStatus.REJECTED):
        return "duplicate"
    return image.status.value  # expired or deleted: a late upload is never indexed


def _work(image, data: bytes, store: ImageStore, recognizer: ImageRecognizer,  # noqa: ANN001
          catalog: ProductImageCatalog) -> _Indexed | UnsupportedImage:
    """The I/O of indexing, outside any transaction: a rejection, or what was indexed."""
    # Imported here: the upload-URL function shares this module but not the imaging libraries.
    from common.imaging.decode import decode
    from common.imaging.renditions import CONTENT_TYPE, webp_renditions

    try:
        if len(data) != image.declared_size:
            raise UnsupportedImage(
                f"The file is {len(data)} bytes, not the {image.declared_size} declared.")
        decoded = decode(data, image.content_type)
    except UnsupportedImage as refusal:
        return refusal
    names = rendition_names(image.product_id, image.id)
    for rendition, webp in webp_renditions(decoded).items():
        store.write_rendition(names[rendition], webp, CONTENT_TYPE)
    recognition = recognizer.recognize(decoded)
    catalog.add(image.product_id, image.id, store.rendition_uri(names["display"]))
    return _Indexed(decoded.width, decoded.height, recognition, names)


def _finish(uow: UnitOfWorkFactory, image, token: str,  # noqa: ANN001
            work: _Indexed | UnsupportedImage) -> str:
    """Record the outcome if the claim still holds: 'ready', 'rejected' or 'lost'."""
    with uow() as tx:
        tx.catalog.lock_product(image.product_id)  # lock order: the product, then its images
        if isinstance(work, UnsupportedImage):
            if not tx.catalog.mark_rejected(image.id, token, work.detail):
                return "lost"
            tx.record(ProductImageRejected(
                product_id=image.product_id, image_id=image.id, reason=work.detail))
            tx.commit()
            log(logger, logging.INFO, "image rejected", image_id=image.id, reason=work.detail)
            return "rejected"
        if not tx.catalog.mark_ready(image.id, token, work.width, work.height,
                                     work.recognition, work.renditions):
            return "lost"
        tx.catalog.add_words(lexicon_words(tx.catalog.refresh_image_labels(image.product_id)))
        tx.record(ProductImageIndexed(
            product_id=image.product_id, image_id=image.id,
            labels=tuple(label.name for label in work.recognition.labels)))
        tx.commit()
    return "ready"


def _release(uow: UnitOfWorkFactory, image_id: str, token: str) -> None:
    """Hand the claim back at once; if even that fails, the lease ends by itself."""
    try:
        with uow() as tx:
            tx.catalog.release_claim(image_id, token)
            tx.commit()
    except Exception as error:  # the caller's own error (or outcome) is what matters
        log(logger, logging.WARNING, "image claim not released", image_id=image_id,
            error=type(error).__name__)


def delete_image(principal: Principal, product_id: str, image_id: str, *,
                 uow: UnitOfWorkFactory, store: ImageStore,
                 catalog: ProductImageCatalog) -> None:
    """The owning vendor deletes an image: it stops being shown, searched and counted;
    its renditions and similar-image reference go. NotFound for anyone else's image."""
    with uow() as tx:
        product = tx.catalog.get(product_id, for_update=True)
        if (product is None or product.vendor_id != principal.account_id
                or image_id not in {image.id for image in product.images}):
            raise NotFound("No such image.")
        tx.catalog.mark_deleted(image_id)
        tx.catalog.refresh_image_labels(product_id)
        tx.record(ProductImageDeleted(
            product_id=product_id, image_id=image_id, vendor_id=principal.account_id))
        tx.commit()
    _remove_outside(product_id, image_id, f"{OBJECT_PREFIX}{product_id}/{image_id}", store,
                    catalog, uow=uow)


def expire_images(*, uow: UnitOfWorkFactory, store: ImageStore,
                  catalog: ProductImageCatalog) -> dict[str, int]:
    """Expire images whose upload never came (or whose indexing was abandoned), then remove
    the files of expired and deleted images that are still outside (a late upload included)."""
    with uow() as tx:
        expired = tx.catalog.expire_images(ABANDONED_CLAIM_S, SWEEP_BATCH)
        tx.commit()
    with uow() as tx:
        leftovers = tx.catalog.images_to_remove(SWEEP_BATCH)
    removed = []
    failed = 0
    for image in leftovers:
        try:
            _remove_files(image.product_id, image.image_id, image.object_name, store, catalog)
        except ServiceUnavailable as error:  # this one waits for the next sweep; the rest go
            failed += 1
            log(logger, logging.WARNING, "image files not removed yet", image_id=image.image_id,
                dependency=error.dependency)
            continue
        removed.append(image.image_id)
    if removed:
        with uow() as tx:
            tx.catalog.mark_removed(removed)
            tx.commit()
    return {"expired": len(expired), "removed": len(removed), "failed": failed}


def _remove_outside(product_id: str, image_id: str, object_name: str, store: ImageStore,
                    catalog: ProductImageCatalog, *, uow: UnitOfWorkFactory,
                    only: tuple[ImageStatus, ...] | None = None) -> None:
    """Remove an image's files (`only` if its status is one of these); what fails here the
    expiry sweep removes later (the image stays marked as not yet removed)."""
    if only is not None:
        with uow() as tx:
            if tx.catalog.image_status(image_id) not in only:
                return
    try:
        _remove_files(product_id, image_id, object_name, store, catalog)
        with uow() as tx:
            tx.catalog.mark_removed([image_id])
            tx.commit()
    except Exception as error:  # the deletion itself committed; the sweep finishes this
        log(logger, logging.WARNING, "image files left for the sweep", image_id=image_id,
            error=type(error).__name__)


def _remove_files(product_id: str, image_id: str, object_name: str, store: ImageStore,
                  catalog: ProductImageCatalog) -> None:
    catalog.remove(product_id, image_id)
    for name in rendition_names(product_id, image_id).values():
        store.delete_rendition(name)
    store.delete_upload(object_name)
