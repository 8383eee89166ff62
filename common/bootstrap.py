"""The composition root: builds each adapter from the settings, lazily, once per process.

Nothing connects at import time; heavy client libraries are imported only by the
first call that needs them, so a function pays only for what it uses.

Adapters that hold the database engine are cached per database role
(`@per_database_role`, not `lru_cache`): locally one process serves every function, each
connecting as its own role (`database_role`, set by devstack), so that a missing GRANT
fails a test here; a deployed function never sets one and has a single engine.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from common import logs
from common import settings as settings_module

if TYPE_CHECKING:
    import google.cloud.firestore
    import sqlalchemy

    from common.adapters.catalog_search import PostgresProductSearch
    from common.adapters.chat_unit_of_work import ChatUnitOfWork
    from common.adapters.firebase_identity import FirebaseIdentity
    from common.adapters.firestore_chat import FirestoreChatRooms
    from common.adapters.firestore_chat_access import FirestoreChatAccess
    from common.adapters.fraud_screening import HttpFraudScreening
    from common.adapters.gcs_analytics_exports import GcsExportObjects
    from common.adapters.gcs_images import GcsImageStore
    from common.adapters.gcs_models import GcsModelObjects, ModelObjectReader, PublishedModels
    from common.adapters.idempotency import PostgresIdempotencyKeys
    from common.adapters.interaction_publisher import DirectEventPublisher
    from common.adapters.money_unit_of_work import MoneyUnitOfWork
    from common.adapters.order_mail_reads import NotificationsUnitOfWork
    from common.adapters.outbox import OutboxRelay
    from common.adapters.postgres_analytics import AnalyticsUnitOfWork
    from common.adapters.postgres_analytics_export import AnalyticsExportUnitOfWork
    from common.adapters.postgres_federated import FederatedUnitOfWork
    from common.adapters.postgres_feed import CachedPromotedProducts, FeedUnitOfWork
    from common.adapters.postgres_fraud_cases import FraudCasesUnitOfWork
    from common.adapters.postgres_orders import OrdersUnitOfWork
    from common.adapters.postgres_preferences import (
        PostgresPreferenceReads,
        PreferencesUnitOfWork,
    )
    from common.adapters.postgres_promotion_lifecycle import PromotionLifecycleUnitOfWork
    from common.adapters.postgres_refunds import RefundsUnitOfWork
    from common.adapters.postgres_review_moderation import ReviewModerationUnitOfWork
    from common.adapters.promotions_unit_of_work import PromotionsUnitOfWork
    from common.adapters.provider_events import PostgresProviderEvents
    from common.adapters.pubsub_publisher import PubSubPublisher
    from common.adapters.rate_limits import PostgresRateLimiter
    from common.adapters.reviews_unit_of_work import ReviewsUnitOfWork
    from common.adapters.smtp_mailer import SmtpMailer
    from common.adapters.stripe_payments import StripePayments
    from common.adapters.stripe_webhooks import StripeWebhooks
    from common.adapters.unit_of_work import UnitOfWork
    from common.adapters.workflow_callbacks import WorkflowCallbacks
    from common.adapters.workflow_executions import GoogleWorkflowExecutions
    from common.ports.images import ImageRecognizer, ProductImageCatalog, SimilarProducts
    from common.services.blocked_orders import SettleCollaborators
    from common.services.fraud_cases import CaseCollaborators


@lru_cache(maxsize=1)
def settings() -> settings_module.Settings:
    current = settings_module.current()
    logs.configure(current.log_level)
    return current


_DATABASE_ROLE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bazaar_database_role", default=None)
T = TypeVar("T")


@contextlib.contextmanager
def database_role(role: str | None) -> Iterator[None]:
    """Inside the block, connect to PostgreSQL as `role` (None: as DATABASE_URL's user).

    Local only (it needs DATABASE_URL): devstack serves each function under its manifest
    `database_role`. A deployed function never sets it; its IAM database user is granted
    exactly that role (docs/operations.md, "Database roles").
    """
    token = _DATABASE_ROLE.set(role)
    try:
        yield
    finally:
        _DATABASE_ROLE.reset(token)


def per_database_role(build: Callable[[], T]) -> Callable[[], T]:
    """Like `lru_cache(maxsize=1)`, but one cached value per database role."""
    built: dict[str | None, Any] = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def cached() -> T:
        role = _DATABASE_ROLE.get()
        if role not in built:
            with lock:
                if role not in built:
                    built[role] = build()
        return built[role]

    cached.cache_clear = built.clear  # type: ignore[attr-defined]
    return cached


@per_database_role
def engine() -> "sqlalchemy.Engine":
    from common.adapters.database import create_engine

    return create_engine(_database_settings(_DATABASE_ROLE.get()))


def _database_settings(role: str | None) -> settings_module.Settings:
    """The settings with DATABASE_URL's user replaced by `role` (trust or peer auth)."""
    current = settings()
    if role is None:
        return current
    if not current.database_url:
        raise settings_module.SettingsError(
            "a database role per function needs DATABASE_URL (local stacks only)")
    from sqlalchemy.engine import make_url

    url = make_url(current.database_url).set(username=role)
    return dataclasses.replace(current, database_url=url.render_as_string(hide_password=False))


@lru_cache(maxsize=1)
def identity() -> "FirebaseIdentity":
    from common.adapters.firebase_identity import FirebaseIdentity

    return FirebaseIdentity(settings())


@lru_cache(maxsize=1)
def firestore() -> "google.cloud.firestore.Client":
    """The Firestore client of functions that `use: firestore` (the emulator when
    FIRESTORE_EMULATOR_HOST is set, refused in production by the settings)."""
    from google.cloud import firestore as firestore_client

    return firestore_client.Client(project=settings().project_id)


@lru_cache(maxsize=1)
def publisher() -> "PubSubPublisher":
    from common.adapters.pubsub_publisher import PubSubPublisher

    return PubSubPublisher(settings().project_id, settings().publish_timeout_s)


@per_database_role
def relay() -> "OutboxRelay":
    from common.adapters.outbox import OutboxRelay

    return OutboxRelay(engine(), publisher)


def unit_of_work() -> "UnitOfWork":
    from common.adapters.unit_of_work import UnitOfWork

    return UnitOfWork(engine(), relay())


def orders_unit_of_work() -> "OrdersUnitOfWork":
    """A unit of work with `orders` and `decisions` (common/adapters/postgres_orders.py)."""
    from common.adapters.postgres_orders import OrdersUnitOfWork

    return OrdersUnitOfWork(engine(), relay())


def refunds_unit_of_work() -> "RefundsUnitOfWork":
    """A unit of work with `refunds` (common/adapters/postgres_refunds.py)."""
    from common.adapters.postgres_refunds import RefundsUnitOfWork

    return RefundsUnitOfWork(engine(), relay())


def reviews_unit_of_work() -> "ReviewsUnitOfWork":
    """A unit of work with `reviews` (common/adapters/reviews_unit_of_work.py)."""
    from common.adapters.reviews_unit_of_work import ReviewsUnitOfWork

    return ReviewsUnitOfWork(engine(), relay())


def review_moderation_unit_of_work() -> "ReviewModerationUnitOfWork":
    """Reviews' unit of work with `listing` and `moderation`
    (common/adapters/postgres_review_moderation.py)."""
    from common.adapters.postgres_review_moderation import ReviewModerationUnitOfWork

    return ReviewModerationUnitOfWork(engine(), relay())


def notifications_unit_of_work() -> "NotificationsUnitOfWork":
    """A unit of work with `order_mails` (common/adapters/order_mail_reads.py)."""
    from common.adapters.order_mail_reads import NotificationsUnitOfWork

    return NotificationsUnitOfWork(engine(), relay())


def promotions_unit_of_work() -> "PromotionsUnitOfWork":
    """The money unit of work with promotions and saved cards
    (common/adapters/promotions_unit_of_work.py)."""
    from common.adapters.promotions_unit_of_work import PromotionsUnitOfWork

    return PromotionsUnitOfWork(engine(), relay())


def promotion_lifecycle_unit_of_work() -> "PromotionLifecycleUnitOfWork":
    """Promotions' unit of work with `lifecycle`: what the schedule and the unlist/block
    consumers move on (common/adapters/postgres_promotion_lifecycle.py)."""
    from common.adapters.postgres_promotion_lifecycle import PromotionLifecycleUnitOfWork

    return PromotionLifecycleUnitOfWork(engine(), relay())


def money_unit_of_work() -> "MoneyUnitOfWork":
    """A unit of work with the ledger, transfers, payment accounts and fulfilment
    (common/adapters/money_unit_of_work.py)."""
    from common.adapters.money_unit_of_work import MoneyUnitOfWork

    return MoneyUnitOfWork(engine(), relay())


@lru_cache(maxsize=1)
def workflow_callbacks() -> "WorkflowCallbacks":
    """Sends a waiting saga its callback (the webhook door): with an OAuth2 token in
    production, without one to the Workflows stand-in."""
    from common.adapters.workflow_callbacks import WorkflowCallbacks

    return WorkflowCallbacks(authenticated=settings().workflows_emulator_host is None)


@lru_cache(maxsize=1)
def workflow_executions() -> "GoogleWorkflowExecutions":
    """Starts and reads saga executions (functions that `use: workflows`)."""
    from common.adapters.workflow_executions import GoogleWorkflowExecutions

    return GoogleWorkflowExecutions.from_settings(settings())


@per_database_role
def idempotency_keys() -> "PostgresIdempotencyKeys":
    from common.adapters.idempotency import PostgresIdempotencyKeys

    return PostgresIdempotencyKeys(engine())


@per_database_role
def login_limiter() -> "PostgresRateLimiter":
    from common.adapters.rate_limits import PostgresRateLimiter

    return PostgresRateLimiter(engine(), settings().login_window_s)


@per_database_role
def password_reset_limiter() -> "PostgresRateLimiter":
    from common.adapters.rate_limits import PostgresRateLimiter

    return PostgresRateLimiter(engine(), settings().password_reset_window_s)



@per_database_role
def chat_limiter() -> "PostgresRateLimiter":
    """Members' messages per sender (common.domain.chat.MESSAGES_PER_WINDOW per WINDOW_S)."""
    from common.adapters.rate_limits import PostgresRateLimiter
    from common.domain.chat import WINDOW_S

    return PostgresRateLimiter(engine(), WINDOW_S)


def chat_unit_of_work() -> "ChatUnitOfWork":
    """A unit of work with `member_names` (common/adapters/chat_unit_of_work.py)."""
    from common.adapters.chat_unit_of_work import ChatUnitOfWork

    return ChatUnitOfWork(engine(), relay())


@lru_cache(maxsize=1)
def chat_rooms() -> "FirestoreChatRooms":
    """Chat rooms and messages in Firestore (functions that `use: firestore`)."""
    from common.adapters.firestore_chat import FirestoreChatRooms

    return FirestoreChatRooms(firestore())


@lru_cache(maxsize=1)
def chat_access() -> "FirestoreChatAccess":
    """Moderation's Firestore writes: `blocked/{uid}` and a room's `reported` flag."""
    from common.adapters.firestore_chat_access import FirestoreChatAccess

    return FirestoreChatAccess(firestore())

@lru_cache(maxsize=1)
def mailer() -> "SmtpMailer":
    from common.adapters.smtp_mailer import SmtpMailer

    return SmtpMailer(settings())


@lru_cache(maxsize=1)
def payments() -> "StripePayments":
    """The payment provider (functions that `use: payments`): one SDK client per instance."""
    from common.adapters.stripe_payments import StripePayments

    return StripePayments.from_settings(settings())


@lru_cache(maxsize=1)
def payment_webhooks() -> "StripeWebhooks":
    """The provider's webhook verifier: needs only STRIPE_WEBHOOK_SECRET, not the API key."""
    from common.adapters.stripe_webhooks import StripeWebhooks

    secret = settings().stripe_webhook_secret
    if not secret:
        raise settings_module.SettingsError(
            "STRIPE_WEBHOOK_SECRET is not set: give this function the stripe-webhook-secret "
            "secret")
    return StripeWebhooks(secret)


@per_database_role
def provider_events() -> "PostgresProviderEvents":
    from common.adapters.provider_events import PostgresProviderEvents

    return PostgresProviderEvents(engine())


@lru_cache(maxsize=1)
def image_store() -> "GcsImageStore":
    from common.adapters.gcs_images import GcsImageStore

    return GcsImageStore(settings())


@per_database_role
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

    return OnnxImageRecognizer(Path(current.image_model_path))


@per_database_role
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


# Interactions and preference features (docs/decisions/0022-interactions-and-preferences.md)

def preferences_unit_of_work() -> "PreferencesUnitOfWork":
    """A unit of work with `preferences` (common/adapters/postgres_preferences.py)."""
    from common.adapters.postgres_preferences import PreferencesUnitOfWork

    return PreferencesUnitOfWork(engine(), relay())


def analytics_unit_of_work() -> "AnalyticsUnitOfWork":
    """A unit of work with `analytics` (the central store of anonymized events)."""
    from common.adapters.postgres_analytics import AnalyticsUnitOfWork

    return AnalyticsUnitOfWork(engine(), relay())


@per_database_role
def preference_reads() -> "PostgresPreferenceReads":
    """The promoted feed's read of a pseudonym's features."""
    from common.adapters.postgres_preferences import PostgresPreferenceReads

    return PostgresPreferenceReads(engine())


# The promoted feed (docs/decisions/0023-promoted-feed.md)

@per_database_role
def promoted_products() -> "CachedPromotedProducts":
    """Active promotions with their products, for GET /v1/feed/promoted (read at most once
    every FEED_CANDIDATES_TTL_S per instance)."""
    from common.adapters.postgres_feed import (
        FEED_CANDIDATES_TTL_S,
        CachedPromotedProducts,
        PostgresPromotedProducts,
    )

    return CachedPromotedProducts(PostgresPromotedProducts(engine()), FEED_CANDIDATES_TTL_S)


def feed_unit_of_work() -> "FeedUnitOfWork":
    """A unit of work with `counters` (promotion_stats), for the impression and click counts."""
    from common.adapters.postgres_feed import FeedUnitOfWork

    return FeedUnitOfWork(engine(), relay())


@lru_cache(maxsize=1)
def feed_publisher() -> "DirectEventPublisher":
    """Publishes feed.served straight to Pub/Sub (no outbox: telemetry)."""
    from common.adapters.interaction_publisher import DirectEventPublisher

    return DirectEventPublisher(publisher)


@lru_cache(maxsize=1)
def security_signal_publisher() -> "DirectEventPublisher":
    """Publishes signal.registration / signal.login straight to Pub/Sub, for the fraud worker
    (no outbox: best effort, docs/decisions/0028-fraud-signals.md)."""
    from common.adapters.interaction_publisher import DirectEventPublisher

    return DirectEventPublisher(publisher)


# Federated learning (docs/decisions/0024-federated-learning.md)

def federated_unit_of_work() -> "FederatedUnitOfWork":
    """A unit of work with `federated`: model versions and round updates."""
    from common.adapters.postgres_federated import FederatedUnitOfWork

    return FederatedUnitOfWork(engine(), relay())


@lru_cache(maxsize=1)
def model_reader() -> "ModelObjectReader":
    """Model objects read over their public URL (MODEL_BASE_URL), once per version."""
    from common.adapters.gcs_models import ModelObjectReader

    return ModelObjectReader(settings().model_base_url)


@lru_cache(maxsize=1)
def model_objects() -> "GcsModelObjects":
    """Writes model versions to MODEL_BUCKET (aggregate_fl_round: `uses: models`)."""
    from common.adapters.gcs_models import GcsModelObjects

    return GcsModelObjects(settings(), model_reader())


@per_database_role
def model_store() -> "PublishedModels":
    """ModelStore: the current model for the feed (fl_models, then the cached object)."""
    from common.adapters.gcs_models import PublishedModels
    from common.adapters.postgres_federated import newest_model_version

    database = engine()
    return PublishedModels(lambda: newest_model_version(database), model_reader().read)


# Fraud screening in the order path (docs/decisions/0025-fraud-screening-in-the-order-path.md)

@lru_cache(maxsize=1)
def fraud_screening() -> "HttpFraudScreening":
    """FraudScreening: the regional fraud worker at FRAUD_URL within FRAUD_BUDGET_MS."""
    from common.adapters.fraud_screening import CachedIdToken, HttpFraudScreening
    from common.domain.fraud import OnFailure

    current = settings()
    if current.is_production and current.fraud_url is None:
        raise settings_module.SettingsError("FRAUD_URL is not set: the order path needs it")
    id_token = (CachedIdToken(current.fraud_url) if current.is_production
                and current.fraud_url else None)
    on_failure: OnFailure = "review" if current.fraud_on_failure == "review" else "allow"
    return HttpFraudScreening(current.fraud_url, current.fraud_budget_ms, on_failure, id_token)


# k-anonymous exports (docs/decisions/0030-k-anonymous-exports.md)

def analytics_export_unit_of_work() -> "AnalyticsExportUnitOfWork":
    """A unit of work with `exports`: the export's sources and the accumulated release."""
    from common.adapters.postgres_analytics_export import AnalyticsExportUnitOfWork

    return AnalyticsExportUnitOfWork(engine(), relay=None)


@lru_cache(maxsize=1)
def analytics_export_objects() -> "GcsExportObjects":
    """Release objects in ANALYTICS_BUCKET, each written once (release_analytics_export)."""
    from common.adapters.gcs_analytics_exports import GcsExportObjects

    return GcsExportObjects(settings())


# Fraud cases (docs/decisions/0027-fraud-cases.md)

def fraud_cases_unit_of_work() -> "FraudCasesUnitOfWork":
    """A unit of work with `fraud_cases` (common/adapters/postgres_fraud_cases.py)."""
    from common.adapters.postgres_fraud_cases import FraudCasesUnitOfWork

    return FraudCasesUnitOfWork(engine(), relay())


def order_collaborators() -> Any:
    """ordering.Collaborators: what the order use cases (placing, a held order's review) need."""
    from common.services.ordering import Collaborators

    return Collaborators(orders_unit_of_work, payments(), workflow_executions(), settings())


def fraud_case_collaborators() -> "CaseCollaborators":
    """What acting on and resolving a fraud case needs (payments only when an order's)."""
    from common.services.fraud_cases import CaseCollaborators

    return CaseCollaborators(fraud_cases_unit_of_work, identity(),
                             review_moderation_unit_of_work, order_collaborators)


def settle_collaborators() -> "SettleCollaborators":
    """What settling a blocked buyer's orders needs (cancel, reject, refund)."""
    from common.services.blocked_orders import SettleCollaborators

    return SettleCollaborators(refunds_unit_of_work, orders_unit_of_work, payments(),
                               workflow_executions(), order_collaborators)
