"""Stripe's error shape: {"error": {type, code, decline_code, message, param}} + HTTP status."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error the twin answers with; `saved` says whether an Idempotency-Key replays it.

    Stripe saves a key's result once the endpoint started executing (a decline, a state
    conflict); a request that fails parameter validation saves nothing.
    """

    def __init__(self, status: int, type_: str, message: str, *, code: str | None = None,
                 param: str | None = None, decline_code: str | None = None,
                 saved: bool = False, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message
        self.code, self.param, self.decline_code = code, param, decline_code
        self.saved = saved
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        for key in ("code", "param", "decline_code"):
            if getattr(self, key) is not None:
                error[key] = getattr(self, key)
        error.update(self.extra)
        return {"error": error}


def invalid(message: str, *, param: str | None = None, code: str | None = None,
            saved: bool = False) -> StripeError:
    """400 invalid_request_error."""
    return StripeError(400, "invalid_request_error", message, param=param, code=code, saved=saved)


def missing_param(param: str) -> StripeError:
    """400 parameter_missing."""
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def no_such(kind: str, object_id: str, *, param: str | None = None) -> StripeError:
    """404 resource_missing (400 when the id came in as a parameter, as Stripe does)."""
    status = 400 if param else 404
    return StripeError(status, "invalid_request_error", f"No such {kind}: '{object_id}'",
                       code="resource_missing", param=param or "id")


def unexpected_state(message: str, obj: dict[str, Any], kind: str) -> StripeError:
    """400 <kind>_unexpected_state carrying the object, as Stripe's error does."""
    return StripeError(400, "invalid_request_error", message, code=f"{kind}_unexpected_state",
                       saved=True, extra={kind: obj})


def unauthorized(message: str) -> StripeError:
    """401 for a missing or wrong API key."""
    return StripeError(401, "invalid_request_error", message)
