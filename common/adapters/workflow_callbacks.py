"""WorkflowCallbacks: POST to a waiting execution's callback URL (events.await_callback).

In production the request carries a Google OAuth2 access token of the function's service
account (google.auth default credentials; sending needs workflows.callbacks.send, in
roles/workflows.invoker: terraform/workflows.yaml `callbacks_from`). The Workflows stand-in
takes callbacks without one.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from common.logs import log

logger = logging.getLogger("bazaar.workflows")
TIMEOUT_S = 10.0
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)


class WorkflowCallbacks:
    def __init__(self, *, authenticated: bool) -> None:
        self._authenticated = authenticated
        self._credentials: Any = None
        self._http = requests.Session()

    def send(self, url: str, body: dict[str, Any]) -> bool:
        """Deliver `body`; False when the callback is gone (the execution ended, the
        stand-in restarted) or unreachable: the reconciler finishes such orders."""
        try:
            response = self._http.post(url, json=body, headers=self._headers(),
                                       timeout=TIMEOUT_S)
        except requests.RequestException as error:
            log(logger, logging.WARNING, "callback not delivered", error=type(error).__name__)
            return False
        if response.status_code >= 300:
            log(logger, logging.WARNING, "callback refused", status=response.status_code)
            return False
        return True

    def _headers(self) -> dict[str, str]:
        if not self._authenticated:
            return {}
        import google.auth
        import google.auth.transport.requests

        if self._credentials is None:
            self._credentials, _ = google.auth.default(scopes=SCOPES)
        if not self._credentials.valid:
            self._credentials.refresh(google.auth.transport.requests.Request())
        return {"Authorization": f"Bearer {self._credentials.token}"}
