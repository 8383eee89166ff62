"""Domain errors: each carries the contract's stable `code` and HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. Mapped to an RFC 9457 problem response by the HTTP layer."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Unauthenticated(DomainError):
    status, code, title = 401, "unauthenticated", "Authentication required"


class WrongPassword(DomainError):
    status, code, title = 401, "wrong_password", "Wrong password"


class InvalidRefreshToken(DomainError):
    status, code, title = 401, "invalid_refresh_token", "Invalid refresh token"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class AccountBlocked(DomainError):
    status, code, title = 403, "account_blocked", "Account blocked"


class EmailNotVerified(DomainError):
    status, code, title = 403, "email_not_verified", "Email not verified"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class EmailNotRegistered(DomainError):
    status, code, title = 404, "email_not_registered", "Email not registered"


class EmailTaken(DomainError):
    status, code, title = 409, "email_taken", "Email already registered"


class InvalidState(DomainError):
    status, code, title = 409, "invalid_state", "Invalid state"


class InvalidVerificationLink(DomainError):
    status, code, title = 400, "invalid_verification_link", "Invalid or expired link"


class InvalidRequest(DomainError):
    """Validation failed; `errors=[{"field", "message"}]` says where."""

    status, code, title = 422, "invalid_request", "Invalid request"


class ChecklistIncomplete(DomainError):
    status, code, title = 422, "checklist_incomplete", "Checklist incomplete"


class TooManyAttempts(DomainError):
    status, code, title = 429, "too_many_attempts", "Too many attempts"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class ServiceUnavailable(Exception):
    """A downstream (database, Firebase Auth, Pub/Sub, SMTP) is down: answer 503, retry later."""

    def __init__(self, dependency: str, cause: BaseException | None = None) -> None:
        super().__init__(f"{dependency} unavailable")
        self.dependency = dependency
        self.__cause__ = cause


class VendorNotVerified(DomainError):
    status, code, title = 403, "vendor_not_verified", "Vendor not verified"


class UnsupportedImage(DomainError):
    status, code, title = 422, "unsupported_image", "Unsupported image"
