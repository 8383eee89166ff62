"""FirebaseIdentity: users, tokens and action links in Firebase Authentication.

Admin operations go through firebase-admin; password sign-in, token refresh and
applying an email-verification code go through the Identity Toolkit REST API that
the client SDKs use. With FIREBASE_AUTH_EMULATOR_HOST set, both talk to the emulator.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any, Iterator
from urllib.parse import parse_qs, urlparse

import firebase_admin
import requests
import requests.adapters
from firebase_admin import auth, exceptions

from common.domain.errors import (
    AccountBlocked,
    EmailNotRegistered,
    EmailTaken,
    InvalidRefreshToken,
    InvalidVerificationLink,
    ServiceUnavailable,
    TooManyAttempts,
    Unauthenticated,
    WrongPassword,
)
from common.domain.identity import TokenClaims, Tokens
from common.settings import Settings, SettingsError

REST_TIMEOUT_S = 5
HTTP_POOL_SIZE = 32
CLOCK_SKEW_S = 5


@contextlib.contextmanager
def _admin_errors() -> Iterator[None]:
    try:
        yield
    except auth.EmailAlreadyExistsError as error:
        raise EmailTaken(
            "This email is already registered: log in or reset your password.") from error
    except (exceptions.UnavailableError, exceptions.DeadlineExceededError,
            exceptions.UnknownError, exceptions.InternalError,
            requests.RequestException) as error:
        raise ServiceUnavailable("auth", error) from error


class FirebaseIdentity:
    def __init__(self, settings: Settings) -> None:
        # Only `uses: [auth_client]` functions get the Web API key; verifying tokens and
        # the admin calls need none, so a missing key is refused where it is used (_rest).
        self._app = firebase_admin.initialize_app(
            options={"projectId": settings.project_id}, name=f"bazaar-{id(self)}"
        )
        self._key = settings.firebase_web_api_key
        host = settings.firebase_auth_emulator_host
        self._toolkit = (
            f"http://{host}/identitytoolkit.googleapis.com/v1" if host
            else "https://identitytoolkit.googleapis.com/v1"
        )
        self._securetoken = (
            f"http://{host}/securetoken.googleapis.com/v1" if host
            else "https://securetoken.googleapis.com/v1"
        )
        self._http = requests.Session()
        # One pool per function instance, as large as its request concurrency.
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=HTTP_POOL_SIZE)
        self._http.mount("https://", adapter)
        self._http.mount("http://", adapter)

    # --- users -----------------------------------------------------------------------------
    def create_user(self, account_id: str, email: str, password: str, name: str,
                    role: str, *, email_verified: bool = False) -> None:
        """Create the user under a fresh `account_id`, then set its role: two calls.

        If either fails the user may exist (a reply can be lost after the create landed):
        the caller removes it by id. firebase-admin retries a request whose reply was lost,
        and that retry finds the user its first attempt made; it is ours, so go on.
        """
        with _admin_errors():
            try:
                auth.create_user(uid=account_id, email=email, password=password,
                                 display_name=name, email_verified=email_verified, app=self._app)
            except (auth.UidAlreadyExistsError, auth.EmailAlreadyExistsError):
                if not self._made_by_earlier_attempt(account_id, email):
                    raise
            auth.set_custom_user_claims(account_id, {"role": role}, app=self._app)

    def _made_by_earlier_attempt(self, account_id: str, email: str) -> bool:
        try:
            return auth.get_user(account_id, app=self._app).email == email
        except auth.UserNotFoundError:
            return False

    def delete_user(self, account_id: str) -> None:
        with _admin_errors(), contextlib.suppress(auth.UserNotFoundError):
            auth.delete_user(account_id, app=self._app)

    def user_exists(self, account_id: str) -> bool:
        with _admin_errors():
            try:
                auth.get_user(account_id, app=self._app)
            except auth.UserNotFoundError:
                return False
        return True

    def set_disabled(self, account_id: str, disabled: bool) -> None:
        """Disable (and revoke the refresh tokens of) or re-enable a user."""
        with _admin_errors():
            auth.update_user(account_id, disabled=disabled, app=self._app)
            if disabled:
                auth.revoke_refresh_tokens(account_id, app=self._app)

    def set_email_verified(self, account_id: str) -> None:
        with _admin_errors():
            auth.update_user(account_id, email_verified=True, app=self._app)

    # --- tokens ------------------------------------------------------------------------------
    def verify_id_token(self, id_token: str) -> TokenClaims:
        """Check signature, audience and expiry; raises Unauthenticated."""
        try:
            claims = auth.verify_id_token(id_token, app=self._app,
                                          clock_skew_seconds=CLOCK_SKEW_S)
        except (auth.CertificateFetchError, exceptions.UnavailableError) as error:
            raise ServiceUnavailable("auth", error) from error
        except (ValueError, auth.InvalidIdTokenError, exceptions.FirebaseError) as error:
            raise Unauthenticated("The token is invalid or expired: log in again.") from error
        # firebase-admin skips the expiry check for emulator tokens; never accept an expired one.
        if float(claims.get("exp", 0)) < time.time() - CLOCK_SKEW_S:
            raise Unauthenticated("The token is invalid or expired: log in again.")
        return TokenClaims(account_id=_account_id(claims.get("uid")), role=claims.get("role"))

    def sign_in(self, email: str, password: str) -> Tokens:
        body = self._rest(f"{self._toolkit}/accounts:signInWithPassword",
                          json={"email": email, "password": password, "returnSecureToken": True})
        return Tokens(body["localId"], body["idToken"], body["refreshToken"],
                      int(body["expiresIn"]))

    def refresh(self, refresh_token: str) -> Tokens:
        body = self._rest(f"{self._securetoken}/token",
                          data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        return Tokens(_account_id(body["user_id"]), body["id_token"], body["refresh_token"],
                      int(body["expires_in"]))

    # --- action links ----------------------------------------------------------------------
    def email_verification_code(self, email: str) -> str:
        """A fresh out-of-band code that verifies `email` when applied."""
        with _admin_errors():
            link = auth.generate_email_verification_link(email, app=self._app)
        codes = parse_qs(urlparse(link).query).get("oobCode")
        if not codes:
            raise ServiceUnavailable("auth")
        return codes[0]

    def apply_email_verification(self, oob_code: str) -> str:
        """Apply a verification code; returns the verified email."""
        body = self._rest(f"{self._toolkit}/accounts:update", json={"oobCode": oob_code})
        return body["email"].lower()

    def password_reset_link(self, email: str) -> str:
        with _admin_errors():
            return auth.generate_password_reset_link(email, app=self._app)

    def _rest(self, url: str, **kwargs: Any) -> dict:
        if not self._key:
            raise SettingsError("FIREBASE_WEB_API_KEY is not set: the Identity Toolkit REST "
                                "API needs it (`uses: [auth_client]` in functions/manifest.yaml)")
        try:
            response = self._http.post(url, params={"key": self._key}, timeout=REST_TIMEOUT_S,
                                       **kwargs)
        except requests.RequestException as error:
            raise ServiceUnavailable("auth", error) from error
        if response.status_code == 200:
            return response.json()
        if response.status_code >= 500:
            raise ServiceUnavailable("auth")
        raise _rest_error(response)


def _account_id(uid: object) -> str:
    """Our account ids are canonical UUIDs; any other uid is no account of ours (and must
    not reach SQL, where it would be an invalid uuid)."""
    if isinstance(uid, str):
        with contextlib.suppress(ValueError):
            if str(uuid.UUID(uid)) == uid:
                return uid
    raise Unauthenticated("No account belongs to this token.")


def _rest_error(response: requests.Response) -> Exception:
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = ""
    reason = message.split(" ", 1)[0].split(":", 1)[0]
    if reason in ("INVALID_PASSWORD", "INVALID_LOGIN_CREDENTIALS"):
        return WrongPassword("The password is not correct: try again or reset it.")
    if reason == "EMAIL_NOT_FOUND":
        return EmailNotRegistered("No account uses this email: register first.")
    if reason == "USER_DISABLED":
        return AccountBlocked(
            "This account is blocked. Contact support if you think this is wrong.")
    if reason == "TOO_MANY_ATTEMPTS_TRY_LATER":
        return TooManyAttempts("Too many attempts: wait a while before trying again.", 300)
    if reason in ("INVALID_OOB_CODE", "EXPIRED_OOB_CODE"):
        return InvalidVerificationLink("This link is invalid or has expired: ask for a new one.")
    if reason in ("TOKEN_EXPIRED", "INVALID_REFRESH_TOKEN", "USER_NOT_FOUND",
                  "INVALID_GRANT_TYPE", "MISSING_REFRESH_TOKEN", "INVALID_ID_TOKEN"):
        return InvalidRefreshToken("The refresh token is invalid or expired: log in again.")
    return ServiceUnavailable("auth")
