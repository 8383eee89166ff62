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

    from common.adapters.firebase_identity import FirebaseIdentity
    from common.adapters.idempotency import PostgresIdempotencyKeys
    from common.adapters.outbox import OutboxRelay
    from common.adapters.pubsub_publisher import PubSubPublisher
    from common.adapters.rate_limits import PostgresRateLimiter
    from common.adapters.smtp_mailer import SmtpMailer
    from common.adapters.unit_of_work import UnitOfWork


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
