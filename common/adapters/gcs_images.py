"""GcsImageStore: signed upload URLs, reading uploads, and writing public renditions.

Production signs V4 URLs through IAM signBlob with the function's own service account
(no key exists); locally a throwaway key made by the dev stack signs them, and
fake-gcs-server accepts the PUT. Renditions are immutable (their names hold the image id)
and are written with a year-long public Cache-Control for Cloud CDN.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from common.domain.errors import ServiceUnavailable
from common.settings import Settings

RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"
LENGTH_RANGE_HEADER = "x-goog-content-length-range"


class GcsImageStore:
    def __init__(self, settings: Settings) -> None:
        from google.cloud import storage  # type: ignore[attr-defined]  # untyped package

        self._settings = settings
        self._client = storage.Client(project=settings.project_id)
        self._uploads = self._client.bucket(settings.upload_bucket)
        self._renditions = self._client.bucket(settings.renditions_bucket)

    def signed_upload(self, object_name: str, content_type: str,
                      size: int) -> tuple[str, dict[str, str], datetime]:
        """A PUT URL bound to this content type and exact size; (url, headers, expires_at)."""
        ttl = timedelta(seconds=self._settings.upload_url_ttl_s)
        headers = {"Content-Type": content_type, LENGTH_RANGE_HEADER: f"{size},{size}"}
        url = self._uploads.blob(object_name).generate_signed_url(
            version="v4", expiration=ttl, method="PUT", content_type=content_type,
            headers={LENGTH_RANGE_HEADER: headers[LENGTH_RANGE_HEADER]}, **self._signer())
        return url, headers, datetime.now(timezone.utc) + ttl

    def _signer(self) -> dict:
        if self._settings.upload_signer_key_file:
            from google.oauth2 import service_account

            credentials = service_account.Credentials.from_service_account_file(
                self._settings.upload_signer_key_file)
            return {"credentials": credentials,
                    "api_access_endpoint": _endpoint(self._settings.storage_emulator_host)}
        import google.auth
        import google.auth.transport.requests

        credentials, _ = google.auth.default()
        if not credentials.valid:
            credentials.refresh(google.auth.transport.requests.Request())
        return {"service_account_email": credentials.service_account_email,  # type: ignore[attr-defined]
                "access_token": credentials.token}

    def read_upload(self, object_name: str, generation: int | None,
                    max_bytes: int) -> bytes | None:
        """The uploaded bytes (at most max_bytes + 1), or None when the object is gone."""
        from google.api_core import exceptions

        blob = self._uploads.blob(object_name, generation=generation)
        try:
            return blob.download_as_bytes(start=0, end=max_bytes)
        except exceptions.NotFound:
            return None
        except (exceptions.ServerError, exceptions.TooManyRequests) as error:
            raise ServiceUnavailable("storage", error) from error

    def delete_upload(self, object_name: str, generation: int | None = None) -> None:
        """Delete the upload (this generation, or the live one); one already gone is fine."""
        _delete(self._uploads.blob(object_name, generation=generation))

    def delete_rendition(self, object_name: str) -> None:
        """Delete a public rendition; one already gone (or never written) is fine."""
        _delete(self._renditions.blob(object_name))

    def write_rendition(self, object_name: str, data: bytes, content_type: str) -> None:
        from google.api_core import exceptions

        blob = self._renditions.blob(object_name)
        blob.cache_control = RENDITION_CACHE_CONTROL
        try:
            blob.upload_from_string(data, content_type=content_type)
        except (exceptions.ServerError, exceptions.TooManyRequests) as error:
            raise ServiceUnavailable("storage", error) from error

    def rendition_uri(self, object_name: str) -> str:
        return f"gs://{self._settings.renditions_bucket}/{object_name}"


def _delete(blob) -> None:  # noqa: ANN001
    from google.api_core import exceptions

    try:
        blob.delete()
    except exceptions.NotFound:
        pass
    except (exceptions.ServerError, exceptions.TooManyRequests) as error:
        raise ServiceUnavailable("storage", error) from error


def _endpoint(host: str | None) -> str | None:
    if not host:
        return None
    return host if host.startswith(("http://", "https://")) else f"http://{host}"
