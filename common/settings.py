"""Settings: read once from the environment at start, validated, then passed around.

Which backend is used (Cloud SQL or a local PostgreSQL, Firebase or its emulator,
Pub/Sub or the local stand-in, GCS or fake-gcs-server) is decided here and nowhere
else. Every variable is documented in README.md ("Settings").
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

ENVIRONMENTS = ("local", "test", "production")
# Connections one engine keeps; it opens as many again in overflow (adapters/database.py).
DEFAULT_DATABASE_POOL_SIZE = 5
EMULATOR_VARIABLES = (
    "FIREBASE_AUTH_EMULATOR_HOST",
    "PUBSUB_EMULATOR_HOST",
    "STORAGE_EMULATOR_HOST",
    "WORKFLOWS_EMULATOR_HOST",
    "FIRESTORE_EMULATOR_HOST",
)
LOCAL_DEMO_PASSWORD = "Bazaar-demo-2026!"
# Signs page tokens outside production; production reads the page-token-key secret.
LOCAL_PAGE_TOKEN_KEY = "local-page-token-key: not a secret"
MIN_PAGE_TOKEN_KEY_CHARS = 32
# Keys pseudonymous ids outside production; production reads the pseudonym-key secret.
LOCAL_PSEUDONYM_KEY = "local-pseudonym-key: not a secret, do not use"
MIN_PSEUDONYM_KEY_CHARS = 32
# One pseudonym key list per residency zone outside production (the eu one is the key above,
# so pseudonyms made before zones stay valid); production reads each zone's secret.
ZONE_KEY_SETTINGS = {"eu": "PSEUDONYM_KEYS_EU", "americas": "PSEUDONYM_KEYS_AMERICAS",
                     "asia": "PSEUDONYM_KEYS_ASIA"}
LOCAL_PSEUDONYM_KEYS = {"eu": [LOCAL_PSEUDONYM_KEY],
                        "americas": ["local-pseudonym-key-americas: not a secret"],
                        "asia": ["local-pseudonym-key-asia: not a secret, do not use"]}
# Where BAZAAR_FAULT may kill a test process (common/faults.py says where each one is).
FAULT_POINTS = ("after_commit", "order_after_reserve", "order_after_provider_payment",
                "order_after_payment_recorded", "order_after_saga_start",
                "webhook_after_inbox", "webhook_after_handoff", "complete_after_commit",
                "fail_after_commit", "refund_after_provider")
# Stock reservation per payment method: minutes for card and PayPal, days for a transfer.
RESERVATION_TTL_S = {"card": 15 * 60, "paypal": 15 * 60, "bank_transfer": 7 * 24 * 3600}
BANK_TRANSFER_COUNTRIES = ("BE", "DE", "ES", "FR", "IE", "NL")


class SettingsError(RuntimeError):
    """The environment describes a configuration that must not start."""


@dataclass(frozen=True)
class Settings:
    environment: str
    project_id: str
    # Database: either a SQLAlchemy URL (local, CI, any PostgreSQL) or a Cloud SQL instance.
    database_url: str | None
    cloud_sql_instance: str | None
    database_name: str
    database_iam_user: str | None
    cloud_sql_ip_type: str
    database_pool_size: int
    # Identity
    firebase_web_api_key: str
    firebase_auth_emulator_host: str | None
    # Events
    pubsub_emulator_host: str | None
    publish_timeout_s: float
    # Files: clients PUT images to signed URLs on the upload bucket; renditions are public.
    storage_emulator_host: str | None
    upload_bucket: str
    renditions_bucket: str
    media_base_url: str
    upload_url_ttl_s: int
    # Local only: the key that signs upload URLs (production signs through IAM signBlob).
    upload_signer_key_file: str | None
    # Image recognition: "local" (EfficientNet-Lite0 on onnxruntime) or "vision".
    image_recognition: str
    image_model_path: str
    vision_location: str
    vision_product_set: str
    vision_product_category: str
    # Mail
    smtp_host: str
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    # Links in emails point here.
    public_base_url: str
    # Login throttling: attempts allowed per window, per email and per client address.
    login_attempts_per_email: int
    login_attempts_per_address: int
    login_window_s: int
    # Password-reset mails: per email (past it: 202, no mail) and per client address (429).
    password_resets_per_email: int
    password_resets_per_address: int
    password_reset_window_s: int
    # Demo data (local only)
    demo_data: bool
    demo_password: str
    log_level: str
    # Tests only: a named point (common/faults.py) where the process dies as if killed.
    fault_point: str | None = None
    # Signs page tokens (common/domain/page_tokens.py). In production a Secret Manager
    # secret that only the functions that page get: read it with page_token_signing_key().
    page_token_key: str | None = None
    # Keys pseudonymous ids (common/domain/pseudonyms.py): a Secret Manager secret in
    # production, given to the functions that `use: pseudonyms`; read it with pseudonym_hmac_key().
    pseudonym_key: str | None = None
    # Interactions: batches one pseudonym may send per window (past it: 429).
    interaction_batches_per_window: int = 60
    interaction_window_s: int = 60
    # Anonymization at the edge (docs/anonymization-policy.md): per zone the current key
    # first, then previous ones kept for a rotation window; this instance's own zone (its
    # region's, the default for clients without X-Client-Region); the anonymizer's buffer
    # of messages the central topics did not take (past it: 503) and its retry period.
    pseudonym_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    residency_zone: str = "eu"
    anonymizer_buffer_messages: int = 10_000
    anonymizer_retry_s: float = 2.0
    # k-anonymous exports (docs/decisions/0030): the analytics bucket; a class is released
    # once the accumulated release holds ANALYTICS_EXPORT_K persons and ANALYTICS_EXPORT_L
    # categories in it; a source row waits at most ANALYTICS_EXPORT_MAX_WAIT_DAYS, then never.
    analytics_bucket: str = "bazaar-analytics"
    analytics_export_k: int = 5
    analytics_export_l: int = 2
    analytics_export_max_wait_days: int = 62
    # Payments (Stripe). The keys are Secret Manager secrets in production, given only to the
    # functions that `use: payments` / receive the provider's webhooks. The API base is the
    # local twin's address (devstack/stripe); unset means Stripe itself, and production
    # refuses any other.
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    # Cloud Workflows: where the sagas are deployed, and (local and tests only) the gRPC
    # address of the Workflows stand-in (devstack/workflows).
    workflows_location: str = "europe-west1"
    workflows_emulator_host: str | None = None
    # Orders: how long stock stays reserved for an unpaid order, and how long the purchase
    # saga waits for the provider's outcome, per payment method (seconds).
    reservation_ttl_s: Mapping[str, int] = field(default_factory=lambda: dict(RESERVATION_TTL_S))
    purchase_callback_timeout_s: Mapping[str, int] = field(
        default_factory=lambda: dict(RESERVATION_TTL_S))
    # Bank transfers: the country of the IBAN buyers transfer to (Stripe eu_bank_transfer).
    bank_transfer_country: str = "DE"
    # Platform commission in basis points: per category id, else the default (10 %).
    commission_rates_bp: Mapping[str, int] = field(default_factory=dict)
    commission_default_bp: int = 1000
    # A shipped part counts as delivered this many days after shipping (deliver_overdue_parts).
    auto_delivery_days: int = 14
    # Local and tests only: a file holding the clock's offset in seconds (common/clock.py).
    clock_offset_file: str | None = None
    # Promotions: the daily rate in minor units per category id, else the default; the
    # longest promotion in days.
    promotion_daily_rates: Mapping[str, int] = field(default_factory=dict)
    promotion_daily_rate: int = 500
    promotion_max_days: int = 90
    # Federated learning: the model bucket (immutable objects behind the CDN) and its public
    # base URL; a round aggregates once FL_MIN_UPDATES updates arrived, each clipped to
    # FL_CLIP_NORM (L2), weighted by at most FL_MAX_WEIGHT examples, with Gaussian noise
    # z = FL_NOISE_MULTIPLIER; factors += FL_SERVER_LR × mean; FL_MAX_ITEMS items of FL_DIM
    # (items × dim floats must fit the 64 KiB request body of POST /v1/fl/updates).
    model_bucket: str = "bazaar-models"
    model_base_url: str = "http://127.0.0.1:4443/bazaar-models"
    fl_min_updates: int = 10
    fl_clip_norm: float = 1.0
    fl_max_weight: int = 20
    fl_noise_multiplier: float = 1.0
    fl_server_lr: float = 10.0
    fl_max_items: int = 300
    fl_dim: int = 8
    # Fraud screening in the order path (docs/decisions/0025): the regional fraud worker's
    # URL, the budget in ms for its answer, and what an order gets when it does not answer in
    # budget (allow: screened afterwards from order.placed; review: held). The worker loads
    # its model from FRAUD_MODEL_URI (gs://bucket/object.onnx, meta JSON beside it, or a path).
    fraud_url: str | None = None
    fraud_budget_ms: int = 50
    fraud_on_failure: str = "allow"
    fraud_model_uri: str | None = None
    # An order held for a fraud review is rejected past this (< the 7 days a card
    # authorization lasts at Stripe; docs/decisions/0026-orders-held-for-fraud-review.md).
    fraud_review_max_s: int = 3 * 24 * 3600

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def stripe_key(self) -> str:
        """The provider's secret key; SettingsError where the function was not given it."""
        if not self.stripe_secret_key:
            raise SettingsError("STRIPE_SECRET_KEY is not set: give this function the "
                                "stripe-secret-key secret")
        return self.stripe_secret_key

    def page_token_signing_key(self) -> bytes:
        """The page-token key; SettingsError where production was not given the secret."""
        if not self.page_token_key:
            raise SettingsError("PAGE_TOKEN_KEY is not set: give this function the "
                                "page-token-key secret")
        return self.page_token_key.encode()

    def zone_keys(self, zone: str) -> tuple[bytes, ...]:
        """A zone's pseudonym keys, current first; SettingsError where the zone has none."""
        keys = self.pseudonym_keys.get(zone)
        if not keys:
            raise SettingsError(f"{ZONE_KEY_SETTINGS.get(zone, 'PSEUDONYM_KEYS_?')} is not set: "
                                f"no pseudonym key for zone {zone!r}")
        return tuple(key.encode() for key in keys)

    def pseudonym_hmac_key(self) -> bytes:
        """The pseudonym key; SettingsError where production was not given the secret."""
        if not self.pseudonym_key:
            raise SettingsError("PSEUDONYM_KEY is not set: give this function the "
                                "pseudonym-key secret")
        return self.pseudonym_key.encode()


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"not a boolean: {value!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    """A finite float setting; SettingsError for anything else."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise SettingsError(f"{name} must be finite")
    return value


def _per_method(env: Mapping[str, str], pattern: str, defaults: Mapping[str, int]
                ) -> dict[str, int]:
    """One integer setting per payment method, e.g. RESERVATION_TTL_CARD_S."""
    return {method: _int(env, pattern.format(method.upper()), default)
            for method, default in defaults.items()}


def _rates(raw: str | None, name: str = "COMMISSION_RATES_BP") -> dict[str, int]:
    """COMMISSION_RATES_BP / PROMOTION_DAILY_RATES: a JSON object {category_id: integer}."""
    if not raw:
        return {}
    try:
        rates = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a JSON object") from exc
    if not isinstance(rates, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in rates.values()):
        raise SettingsError(f"{name} must map category ids to integers")
    return {str(k): v for k, v in rates.items()}


def _default_model_path(env: Mapping[str, str]) -> str:
    """Where `nox -s model` exports the image model: the user's cache, outside the repo."""
    cache = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "bazaar", "efficientnet-lite0.onnx")


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    """Build and validate settings; raises SettingsError for a forbidden combination."""
    env = os.environ if env is None else env
    environment = env.get("BAZAAR_ENV", "local")
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"BAZAAR_ENV must be one of {ENVIRONMENTS}, got {environment!r}")
    production = environment == "production"
    settings = Settings(
        environment=environment,
        project_id=env.get("GOOGLE_CLOUD_PROJECT", "demo-bazaar"),
        database_url=env.get("DATABASE_URL") or None,
        cloud_sql_instance=env.get("CLOUD_SQL_INSTANCE") or None,
        database_name=env.get("DATABASE_NAME", "bazaar"),
        database_iam_user=env.get("DATABASE_IAM_USER") or None,
        cloud_sql_ip_type=env.get("CLOUD_SQL_IP_TYPE", "PRIVATE"),
        database_pool_size=_int(env, "DATABASE_POOL_SIZE", DEFAULT_DATABASE_POOL_SIZE),
        # Only `uses: [auth_client]` functions get this secret (REST sign-in, refresh,
        # applying action codes); FirebaseIdentity refuses those calls without it.
        firebase_web_api_key=env.get("FIREBASE_WEB_API_KEY", "" if production else "local-api-key"),
        firebase_auth_emulator_host=env.get("FIREBASE_AUTH_EMULATOR_HOST") or None,
        pubsub_emulator_host=env.get("PUBSUB_EMULATOR_HOST") or None,
        publish_timeout_s=float(env.get("PUBLISH_TIMEOUT_S", "5")),
        storage_emulator_host=env.get("STORAGE_EMULATOR_HOST") or None,
        upload_bucket=env.get("UPLOAD_BUCKET", "bazaar-uploads"),
        renditions_bucket=env.get("RENDITIONS_BUCKET", "bazaar-renditions"),
        media_base_url=env.get("MEDIA_BASE_URL", "http://127.0.0.1:4443/bazaar-renditions"
                               ).rstrip("/"),
        upload_url_ttl_s=_int(env, "UPLOAD_URL_TTL_S", 900),
        upload_signer_key_file=env.get("UPLOAD_SIGNER_KEY_FILE") or None,
        image_recognition=env.get("IMAGE_RECOGNITION", "local"),
        image_model_path=env.get("IMAGE_MODEL_PATH") or _default_model_path(env),
        vision_location=env.get("VISION_LOCATION", "europe-west1"),
        vision_product_set=env.get("VISION_PRODUCT_SET", "bazaar-products"),
        vision_product_category=env.get("VISION_PRODUCT_CATEGORY", "general-v1"),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=_int(env, "SMTP_PORT", 2525),
        smtp_username=env.get("SMTP_USERNAME") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_starttls=_flag(env.get("SMTP_STARTTLS"), default=production),
        mail_from=env.get("MAIL_FROM", "Bazaar <no-reply@bazaar.example>"),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
        login_attempts_per_email=_int(env, "LOGIN_ATTEMPTS_PER_EMAIL", 10),
        login_attempts_per_address=_int(env, "LOGIN_ATTEMPTS_PER_ADDRESS", 50),
        login_window_s=_int(env, "LOGIN_WINDOW_S", 900),
        password_resets_per_email=_int(env, "PASSWORD_RESETS_PER_EMAIL", 3),
        password_resets_per_address=_int(env, "PASSWORD_RESETS_PER_ADDRESS", 30),
        password_reset_window_s=_int(env, "PASSWORD_RESET_WINDOW_S", 3600),
        demo_data=_flag(env.get("BAZAAR_DEMO_DATA")),
        demo_password=env.get("BAZAAR_DEMO_PASSWORD", LOCAL_DEMO_PASSWORD),
        log_level=env.get("LOG_LEVEL", "INFO"),
        fault_point=env.get("BAZAAR_FAULT") or None,
        page_token_key=env.get("PAGE_TOKEN_KEY") or (None if production else LOCAL_PAGE_TOKEN_KEY),
        pseudonym_key=env.get("PSEUDONYM_KEY") or (None if production else LOCAL_PSEUDONYM_KEY),
        interaction_batches_per_window=_int(env, "INTERACTION_BATCHES_PER_WINDOW", 60),
        interaction_window_s=_int(env, "INTERACTION_WINDOW_S", 60),
        pseudonym_keys=_pseudonym_keys(env, production),
        residency_zone=env.get("RESIDENCY_ZONE", "eu"),
        anonymizer_buffer_messages=_int(env, "ANONYMIZER_BUFFER_MESSAGES", 10_000),
        anonymizer_retry_s=float(env.get("ANONYMIZER_RETRY_S", "2")),
        analytics_bucket=env.get("ANALYTICS_BUCKET", "bazaar-analytics"),
        analytics_export_k=_int(env, "ANALYTICS_EXPORT_K", 5),
        analytics_export_l=_int(env, "ANALYTICS_EXPORT_L", 2),
        analytics_export_max_wait_days=_int(env, "ANALYTICS_EXPORT_MAX_WAIT_DAYS", 62),
        stripe_secret_key=env.get("STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_api_base=(env.get("STRIPE_API_BASE") or "").rstrip("/") or None,
        workflows_location=env.get("WORKFLOWS_LOCATION", "europe-west1"),
        workflows_emulator_host=env.get("WORKFLOWS_EMULATOR_HOST") or None,
        reservation_ttl_s=_per_method(env, "RESERVATION_TTL_{}_S", RESERVATION_TTL_S),
        purchase_callback_timeout_s=_per_method(
            env, "PURCHASE_CALLBACK_TIMEOUT_{}_S",
            _per_method(env, "RESERVATION_TTL_{}_S", RESERVATION_TTL_S)),
        bank_transfer_country=env.get("BANK_TRANSFER_COUNTRY", "DE"),
        commission_rates_bp=_rates(env.get("COMMISSION_RATES_BP")),
        commission_default_bp=_int(env, "COMMISSION_DEFAULT_BP", 1000),
        auto_delivery_days=_int(env, "AUTO_DELIVERY_DAYS", 14),
        clock_offset_file=env.get("BAZAAR_CLOCK_OFFSET_FILE") or None,
        promotion_daily_rates=_rates(env.get("PROMOTION_DAILY_RATES"), "PROMOTION_DAILY_RATES"),
        promotion_daily_rate=_int(env, "PROMOTION_DAILY_RATE", 500),
        promotion_max_days=_int(env, "PROMOTION_MAX_DAYS", 90),
        model_bucket=env.get("MODEL_BUCKET", "bazaar-models"),
        # Production's default: the load balancer's own origin (it serves /models/...).
        model_base_url=(env.get("MODEL_BASE_URL") or (
            env.get("PUBLIC_BASE_URL", "") if production
            else "http://127.0.0.1:4443/bazaar-models")).rstrip("/"),
        fl_min_updates=_int(env, "FL_MIN_UPDATES", 10),
        fl_clip_norm=_float(env, "FL_CLIP_NORM", 1.0),
        fl_max_weight=_int(env, "FL_MAX_WEIGHT", 20),
        fl_noise_multiplier=_float(env, "FL_NOISE_MULTIPLIER", 1.0),
        fl_server_lr=_float(env, "FL_SERVER_LR", 10.0),
        fl_max_items=_int(env, "FL_MAX_ITEMS", 300),
        fl_dim=_int(env, "FL_DIM", 8),
        fraud_url=(env.get("FRAUD_URL") or "").rstrip("/") or None,
        fraud_budget_ms=_int(env, "FRAUD_BUDGET_MS", 50),
        fraud_on_failure=env.get("FRAUD_ON_FAILURE", "allow"),
        fraud_model_uri=env.get("FRAUD_MODEL_URI") or None,
        fraud_review_max_s=_int(env, "FRAUD_REVIEW_MAX_S", 3 * 24 * 3600),
    )
    _refuse_forbidden(settings, env)
    return settings


def _refuse_bad_federated(settings: Settings) -> None:
    """Federated learning settings that would break the clip, the weights or the accounting."""
    if settings.fl_min_updates < 1 or settings.fl_max_weight < 1 or settings.fl_max_items < 1:
        raise SettingsError("FL_MIN_UPDATES, FL_MAX_WEIGHT and FL_MAX_ITEMS must be positive")
    if not 1 <= settings.fl_dim <= 256:
        raise SettingsError("FL_DIM must be 1..256")
    if settings.fl_clip_norm <= 0 or settings.fl_server_lr <= 0:
        raise SettingsError("FL_CLIP_NORM and FL_SERVER_LR must be positive")
    if settings.fl_noise_multiplier < 0:
        raise SettingsError("FL_NOISE_MULTIPLIER must be >= 0")
    if settings.is_production and not settings.model_base_url.startswith("https://"):
        raise SettingsError("MODEL_BASE_URL must be https in production")


def _pseudonym_keys(env: Mapping[str, str], production: bool) -> dict[str, tuple[str, ...]]:
    """PSEUDONYM_KEYS_<ZONE> (a JSON list: current key, then the previous one during a
    rotation) as {zone: keys}; outside production a zone not given has its local keys."""
    keys = {} if production else {z: tuple(k) for z, k in LOCAL_PSEUDONYM_KEYS.items()}
    for zone, name in ZONE_KEY_SETTINGS.items():
        raw = env.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError as error:
            raise SettingsError(f"{name} must be a JSON list [current, previous…]") from error
        if not isinstance(parsed, list) or not all(isinstance(k, str) and k for k in parsed):
            raise SettingsError(f"{name} must be a JSON list [current, previous…]")
        keys[zone] = tuple(parsed)
    return keys


def _refuse_bad_residency(settings: Settings) -> None:
    """A known zone, every zone keyed, production keys long and not the local ones."""
    zones = ("eu", "americas", "asia")
    if settings.residency_zone not in zones:
        raise SettingsError(f"RESIDENCY_ZONE must be one of {zones}")
    if not 1 <= settings.anonymizer_buffer_messages <= 1_000_000:
        raise SettingsError("ANONYMIZER_BUFFER_MESSAGES must be 1..1000000")
    if not 0.05 <= settings.anonymizer_retry_s <= 300:
        raise SettingsError("ANONYMIZER_RETRY_S must be 0.05..300")
    if not settings.pseudonym_keys:
        return  # only the functions given the zones' secrets need them; they refuse without
    if not all(settings.pseudonym_keys.values()):
        raise SettingsError("each PSEUDONYM_KEYS_<ZONE> holds at least one key")
    local = {key for keys in LOCAL_PSEUDONYM_KEYS.values() for key in keys}
    keys = [key for zone_keys in settings.pseudonym_keys.values() for key in zone_keys]
    if settings.is_production and any(
            len(key) < MIN_PSEUDONYM_KEY_CHARS or key in local for key in keys):
        raise SettingsError(f"production needs PSEUDONYM_KEYS_<ZONE> keys of at least "
                            f"{MIN_PSEUDONYM_KEY_CHARS} characters (not the local ones)")


def _refuse_bad_fraud(settings: Settings) -> None:
    """Fraud screening settings that would stall orders or let them through unscreened."""
    if not 1 <= settings.fraud_budget_ms <= 2000:
        raise SettingsError("FRAUD_BUDGET_MS must be 1..2000")
    if settings.fraud_on_failure not in ("allow", "review"):
        raise SettingsError("FRAUD_ON_FAILURE must be allow or review")
    if settings.is_production and settings.fraud_url and not settings.fraud_url.startswith(
            "https://"):
        raise SettingsError("production needs an https FRAUD_URL")


def _refuse_forbidden(settings: Settings, env: Mapping[str, str]) -> None:
    if settings.cloud_sql_ip_type not in ("PRIVATE", "PUBLIC", "PSC"):
        raise SettingsError("CLOUD_SQL_IP_TYPE must be PRIVATE, PUBLIC or PSC")
    if settings.database_url is None and settings.cloud_sql_instance is None:
        raise SettingsError("set DATABASE_URL or CLOUD_SQL_INSTANCE")
    if settings.image_recognition not in ("local", "vision"):
        raise SettingsError("IMAGE_RECOGNITION must be local or vision")
    if not 60 <= settings.upload_url_ttl_s <= 3600:
        raise SettingsError("UPLOAD_URL_TTL_S must be 60..3600 seconds")
    if min(settings.login_window_s, settings.password_reset_window_s) < 1:
        raise SettingsError("LOGIN_WINDOW_S and PASSWORD_RESET_WINDOW_S must be positive")
    if min(settings.reservation_ttl_s.values()) < 60 or min(
            settings.purchase_callback_timeout_s.values()) < 60:
        raise SettingsError("reservation TTLs and purchase callback timeouts must be >= 60 s")
    if settings.bank_transfer_country not in BANK_TRANSFER_COUNTRIES:
        raise SettingsError(f"BANK_TRANSFER_COUNTRY must be one of {BANK_TRANSFER_COUNTRIES}")
    rates = [*settings.commission_rates_bp.values(), settings.commission_default_bp]
    if not all(0 <= rate <= 10000 for rate in rates):
        raise SettingsError("commission rates must be 0..10000 basis points")
    if settings.interaction_batches_per_window < 1 or settings.interaction_window_s < 1:
        raise SettingsError("INTERACTION_BATCHES_PER_WINDOW and INTERACTION_WINDOW_S must be "
                            "positive")
    _refuse_bad_federated(settings)
    _refuse_bad_fraud(settings)
    _refuse_bad_residency(settings)
    if settings.analytics_export_k < 5 or settings.analytics_export_l < 1:
        raise SettingsError("ANALYTICS_EXPORT_K must be >= 5 and ANALYTICS_EXPORT_L >= 1")
    if not 1 <= settings.analytics_export_max_wait_days <= 366:
        raise SettingsError("ANALYTICS_EXPORT_MAX_WAIT_DAYS must be 1..366")
    if not 60 <= settings.fraud_review_max_s <= 6 * 24 * 3600:
        raise SettingsError("FRAUD_REVIEW_MAX_S must be 60..518400 (a card hold lasts 7 days)")
    if not 1 <= settings.auto_delivery_days <= 90:
        raise SettingsError("AUTO_DELIVERY_DAYS must be 1..90")
    if not all(rate > 0 for rate in [*settings.promotion_daily_rates.values(),
                                     settings.promotion_daily_rate]):
        raise SettingsError("promotion daily rates must be positive")
    if not 1 <= settings.promotion_max_days <= 365:
        raise SettingsError("PROMOTION_MAX_DAYS must be 1..365")
    if settings.fault_point is not None and settings.fault_point not in FAULT_POINTS:
        raise SettingsError(f"BAZAAR_FAULT must be one of {FAULT_POINTS}")
    if not settings.is_production:
        return
    if settings.fault_point is not None:
        raise SettingsError("production refuses BAZAAR_FAULT")
    if settings.clock_offset_file is not None:
        raise SettingsError("production refuses BAZAAR_CLOCK_OFFSET_FILE")
    emulators = [name for name in EMULATOR_VARIABLES if env.get(name)]
    if emulators:
        # With FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin accepts unsigned tokens.
        raise SettingsError(f"production refuses emulator hosts: {', '.join(emulators)}")
    if settings.demo_data:
        raise SettingsError("production refuses BAZAAR_DEMO_DATA")
    if settings.stripe_api_base is not None:
        raise SettingsError("production refuses STRIPE_API_BASE (the local Stripe twin)")
    if not settings.public_base_url.startswith("https://"):
        raise SettingsError("production needs an https PUBLIC_BASE_URL")
    if not settings.media_base_url.startswith("https://"):
        raise SettingsError("production needs an https MEDIA_BASE_URL")
    if settings.upload_signer_key_file:
        # A key file is a long-lived secret; production signs through IAM signBlob instead.
        raise SettingsError("production refuses UPLOAD_SIGNER_KEY_FILE")
    if settings.page_token_key is not None and (
            len(settings.page_token_key) < MIN_PAGE_TOKEN_KEY_CHARS
            or settings.page_token_key == LOCAL_PAGE_TOKEN_KEY):
        raise SettingsError(f"production needs a PAGE_TOKEN_KEY of at least "
                            f"{MIN_PAGE_TOKEN_KEY_CHARS} characters (not the local one)")
    if settings.pseudonym_key is not None and (
            len(settings.pseudonym_key) < MIN_PSEUDONYM_KEY_CHARS
            or settings.pseudonym_key == LOCAL_PSEUDONYM_KEY):
        raise SettingsError(f"production needs a PSEUDONYM_KEY of at least "
                            f"{MIN_PSEUDONYM_KEY_CHARS} characters (not the local one)")


@lru_cache(maxsize=1)
def current() -> Settings:
    """The process-wide settings, read once."""
    return from_environment()
