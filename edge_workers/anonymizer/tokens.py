"""Who holds a bearer token, checked at the edge without a database: firebase-admin's
verify_id_token with check_revoked, so a blocked account (disabled in Firebase, its tokens
revoked) is refused at once, as the functions refuse it by re-reading the account."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from common.domain.errors import AccountBlocked, ServiceUnavailable, Unauthenticated

MAX_TOKEN_CHARS = 4096
CLOCK_SKEW_S = 5


@dataclass(frozen=True)
class TokenHolder:
    """The account behind a token, and what the token says of its person (for scrubbing)."""

    account_id: str
    email: str | None
    name: str | None


class FirebaseTokens:
    def __init__(self, project_id: str) -> None:
        import firebase_admin

        self._app = firebase_admin.initialize_app(options={"projectId": project_id},
                                                  name=f"anonymizer-{id(self)}")

    def holder(self, authorization: str | None) -> TokenHolder | None:
        """None without an Authorization header; Unauthenticated for a bad or revoked
        token, AccountBlocked for a disabled account."""
        if authorization is None:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > MAX_TOKEN_CHARS:
            raise Unauthenticated("Send `Authorization: Bearer <ID token>`, or no Authorization.")
        claims = self._verified(token.strip())
        if float(claims.get("exp", 0)) < time.time() - CLOCK_SKEW_S:
            raise Unauthenticated("The token is invalid or expired: log in again.")
        return TokenHolder(_account_id(claims.get("uid")), claims.get("email"),
                           claims.get("name"))

    def _verified(self, token: str) -> dict:
        from firebase_admin import auth, exceptions

        try:
            return auth.verify_id_token(token, app=self._app, check_revoked=True,
                                        clock_skew_seconds=CLOCK_SKEW_S)
        except auth.UserDisabledError as error:
            raise AccountBlocked("This account is blocked.") from error
        except (auth.CertificateFetchError, exceptions.UnavailableError) as error:
            raise ServiceUnavailable("auth", error) from error
        except (ValueError, exceptions.FirebaseError) as error:
            raise Unauthenticated("The token is invalid or expired: log in again.") from error


def _account_id(uid: object) -> str:
    if isinstance(uid, str):
        try:
            if str(uuid.UUID(uid)) == uid:
                return uid
        except ValueError:
            pass
    raise Unauthenticated("No account belongs to this token.")
