"""The composition root: builds each adapter from the settings, lazily, once per process.

Nothing connects at import time; heavy client libraries are imported only by the
first call that needs them, so a function pays only for what it uses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from common import logs
from common import settings as settings_module

if TYPE_CHECKING:
    import sqlalchemy

    from common.adapters.catalog_search import PostgresProductSearch
    from common.adapters.firebase_identity import FirebaseIdentity
    from common.adapters.gcs_images import GcsImageStore
    from common.adapters.idempotency import PostgresIdempotencyKeys
    from common.adapters.outbox import OutboxRelay
    from common.adapters.pubsub_publisher import PubSubPublisher
    from common.adapters.rate_limits import PostgresRateLimiter
    from common.adapters.smtp_mailer import SmtpMailer
    from common.adapters.unit_of_work import UnitOfWork
    from common.services.ports import ImageRecognizer, ProductImageCatalog, SimilarProducts


@lru_cache(maxsize=1)
def settings() -> settings_module.Settings:
    current = settings_module.current()
    logs.configure(current.log_level)
    return current


@lru_cache(maxsize=1)
def engine() -> "sqlalchemy.Engine":
    from common.adapters.database import create_engine

    return create_engine(settings())


@lru_cache(maxsize=1)
def identity() -> "FirebaseIdentity":
    from common.adapters.firebase_identity import FirebaseIdentity

    return FirebaseIdentity(settings())


@lru_cache(maxsize=1)
def publisher() -> "PubSubPublisher":
    from common.adapters.pubsub_publisher import PubSubPublisher

    return PubSubPublisher(settings().project_id, settings().publish_timeout_s)


@lru_cache(maxsize=1)
def relay() -> "OutboxRelay":
    from common.adapters.outbox import OutboxRelay

    return OutboxRelay(engine(), publisher)


def unit_of_work() -> "UnitOfWork":
    from common.adapters.unit_of_work import UnitOfWork

    return UnitOfWork(engine(), relay())


@lru_cache(maxsize=1)
def idempotency_keys() -> "PostgresIdempotencyKeys":
    from common.adapters.idempotency import PostgresIdempotencyKeys

    return PostgresIdempotencyKeys(engine())


@lru_cache(maxsize=1)
def login_limiter() -> "PostgresRateLimiter":
    from common.adapters.rate_limits import PostgresRateLimiter

    return PostgresRateLimiter(engine(), settings().login_window_s)


@lru_cache(maxsize=1)
def mailer() -> "SmtpMailer":
    from common.adapters.smtp_mailer import SmtpMailer

    return SmtpMailer(settings())


@lru_cache(maxsize=1)
def image_store() -> "GcsImageStore":
    from common.adapters.gcs_images import GcsImageStore

    return GcsImageStore(settings())


@lru_cache(maxsize=1)
def product_queries() -> "PostgresProductSearch":
    from common.adapters.catalog_search import PostgresProductSearch

    return PostgresProductSearch(engine())


@lru_cache(maxsize=1)
def image_recognizer() -> "ImageRecognizer":
    current = settings()
    if current.image_recognition == "vision":
        from common.adapters.vision import VisionImageRecognizer

        return VisionImageRecognizer(*_vision_product_set(current))
    from common.adapters.onnx_recognizer import OnnxImageRecognizer

    return OnnxImageRecognizer(current.image_model_path)


@lru_cache(maxsize=1)
def similar_products() -> "SimilarProducts":
    current = settings()
    if current.image_recognition == "vision":
        from common.adapters.vision import VisionSimilarProducts

        return VisionSimilarProducts(*_vision_product_set(current))
    from common.adapters.catalog_search import PgVectorSimilarProducts

    return PgVectorSimilarProducts(engine())


@lru_cache(maxsize=1)
def product_image_catalog() -> "ProductImageCatalog":
    current = settings()
    if current.image_recognition == "vision":
        from common.adapters.vision import VisionProductCatalog

        return VisionProductCatalog(*_vision_product_set(current))
    from common.adapters.catalog_search import NoProductImageCatalog

    return NoProductImageCatalog()


def _vision_product_set(current: settings_module.Settings) -> tuple[str, str, str, str]:
    """Project, location, product set and category: what every Vision adapter is built with."""
    return (current.project_id, current.vision_location, current.vision_product_set,
            current.vision_product_category)
