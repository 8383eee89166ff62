"""GcsExportObjects: release objects in the analytics bucket, each written once.

`ifGenerationMatch=0` makes a write create-only: a retried write of a release whose object
already exists is a no-op (its bytes are rebuilt from the recorded rows, so they are the same),
and nothing can replace an object analysts may already have read. The function's service
account needs object creator on that bucket only (`uses: analytics_export`).
"""

from __future__ import annotations

from common.domain.errors import ServiceUnavailable
from common.settings import Settings

CONTENT_TYPE = "application/x-ndjson"


class GcsExportObjects:
    def __init__(self, settings: Settings) -> None:
        from google.cloud import storage  # type: ignore[attr-defined]  # untyped package

        self._bucket = storage.Client(project=settings.project_id).bucket(
            settings.analytics_bucket)

    def write(self, path: str, data: bytes) -> None:
        from google.api_core import exceptions

        try:
            self._bucket.blob(path).upload_from_string(
                data, content_type=CONTENT_TYPE, if_generation_match=0)
        except exceptions.PreconditionFailed:
            pass  # written by an earlier try: the same release, the same bytes
        except (exceptions.ServerError, exceptions.TooManyRequests) as error:
            raise ServiceUnavailable("storage", error) from error
