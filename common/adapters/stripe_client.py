"""The official Stripe SDK client, built from the settings, and its errors in domain terms.

Locally and in tests STRIPE_API_BASE points the SDK at the Stripe twin (devstack/stripe);
production refuses that setting, so there it talks to api.stripe.com.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator

import stripe

from common.domain.errors import (
    InternalError,
    InvalidState,
    NotFound,
    PaymentDeclined,
    ProviderUnavailable,
)
from common.logs import log
from common.settings import Settings

logger = logging.getLogger("bazaar.payments")
# Connect, read: a slow provider must fail a 60 s function in time to answer 503, even
# after the SDK's own retries (each retry waits 0.5 s, then 1 s, with jitter).
TIMEOUT_S = (3.05, 15.0)
NETWORK_RETRIES = 2
# invalid_request_error codes that mean "not in a state for that", a rule, not our bug.
STATE_CODES = ("amount_too_large", "charge_already_refunded", "charge_already_captured",
               "charge_expired_for_capture", "payment_intent_unexpected_state",
               "setup_intent_unexpected_state", "transfer_reversed", "insufficient_funds",
               "balance_insufficient", "account_invalid")


def build_client(settings: Settings) -> stripe.StripeClient:
    """One SDK client per instance: retries connection errors, 409s and 5xx itself."""
    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(settings.stripe_key(), base_addresses=base,  # type: ignore[arg-type]
                               max_network_retries=NETWORK_RETRIES,
                               http_client=stripe.RequestsClient(timeout=TIMEOUT_S))


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as the plain dict the mapping functions read."""
    return obj.to_dict(recursive=True)


@contextlib.contextmanager
def provider_errors() -> Iterator[None]:
    """Stripe's errors as domain errors; nothing of the SDK escapes this block."""
    try:
        yield
    except stripe.CardError as error:
        raise _declined(error) from None
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise ProviderUnavailable(error) from None
    except stripe.InvalidRequestError as error:
        raise _refused(error) from None
    except stripe.APIError as error:  # 5xx and 409 (a key still in use), after the retries
        raise ProviderUnavailable(error) from None
    except stripe.StripeError as error:  # idempotency_error, a wrong key, no permission
        _log_bug(error)
        raise InternalError() from None


def _declined(error: stripe.CardError) -> PaymentDeclined:
    from common.adapters.stripe_mapping import decline_of

    body = _body(error)
    intent = body.get("payment_intent") or {}
    return PaymentDeclined(decline_of(body), intent.get("id") if isinstance(intent, dict)
                           else None)


def _refused(error: stripe.InvalidRequestError) -> Exception:
    code = error.code or ""
    if code == "resource_missing":
        return NotFound(f"The payment provider has no such object ({error.param or 'id'}).")
    if code in STATE_CODES or code.endswith("_unexpected_state"):
        return InvalidState(error.user_message or "Not possible in the object's state.")
    _log_bug(error)
    return InternalError()


def _body(error: stripe.StripeError) -> dict[str, Any]:
    body = error.json_body if isinstance(error.json_body, dict) else {}
    return body.get("error") or {}


def _log_bug(error: stripe.StripeError) -> None:
    """What Stripe refused and why, by code: no message (it may quote what we sent)."""
    log(logger, logging.ERROR, "payment provider refused a request", error=type(error).__name__,
        status=error.http_status, code=error.code, param=_body(error).get("param"),
        provider_request_id=error.request_id)
