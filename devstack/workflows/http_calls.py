"""http.get/post/put/patch/delete/request over urllib, failing with the service's error maps.

Reference: cloud.google.com/workflows/docs/reference/stdlib/http/request. Status >= 400 →
HttpError {message, code, headers, body}; no connection → ConnectionFailedError; a connection
broken mid-way → ConnectionError; too slow → TimeoutError. Auth (OIDC/OAuth2) is accepted and
sends an unsigned local bearer token, as the service would send a signed one.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .errors import error, type_error, value_error
from .library import register
from .values import as_seconds, type_name

DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S = 300.0, 1800.0
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method, url, timeout=DEFAULT_TIMEOUT_S, body=None, headers=None, query=None,
            auth=None):
    """One HTTP exchange; the result is {body, code, headers}."""
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise value_error(f"http.request: unsupported method {method!r}")
    wait = as_seconds(timeout, "http timeout")
    if wait > MAX_TIMEOUT_S:
        raise value_error(f"http timeout {timeout} is above the maximum of {MAX_TIMEOUT_S:g}")
    sent_headers = _headers(headers)
    data = _encode_body(body, sent_headers)
    target = _with_query(url, query)
    _authorize(auth, target, sent_headers)
    outgoing = urllib.request.Request(target, data=data, headers=sent_headers,
                                      method=method.upper())
    return _exchange(outgoing, wait)


def _headers(headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise type_error("http headers must be a map of strings")
    return dict(headers)


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _encode_body(body: Any, headers: dict[str, str]) -> bytes | None:
    if body is None:
        return None
    content_type = (_header(headers, "Content-Type") or "").lower()
    if isinstance(body, bytes):
        if not content_type:
            headers["Content-Type"] = "application/octet-stream"
        return body
    if content_type.startswith("application/x-www-form-urlencoded") and isinstance(body, dict):
        return urllib.parse.urlencode(body, doseq=True).encode()
    if content_type.startswith("text/") and isinstance(body, str):
        return body.encode()
    if not content_type:
        headers["Content-Type"] = "application/json; charset=utf-8"
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _with_query(url: Any, query: Any) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise value_error(f"http url must start with http:// or https://, got {url!r}")
    if query is None:
        return url
    if not isinstance(query, dict):
        raise type_error(f"http query must be a map, got {type_name(query)}")
    pairs = [(key, _query_text(item)) for key, value in query.items()
             for item in (value if isinstance(value, list) else [value])]
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise type_error(f"http query values must be strings or numbers, not {type_name(value)}")


def _authorize(auth: Any, url: str, headers: dict[str, str]) -> None:
    if auth is None:
        return
    if not isinstance(auth, dict) or auth.get("type") not in ("OIDC", "OAuth2"):
        raise value_error('http auth must be a map with type "OIDC" or "OAuth2"')
    if _header(headers, "Authorization") is None:
        headers["Authorization"] = f"Bearer {local_token(auth, url)}"


def local_token(auth: dict[str, Any], url: str) -> str:
    """An unsigned JWT (alg none) standing for the service account's Google-signed token."""
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    audience = auth.get("audience") or url.split("?")[0]
    claims = {"iss": "https://accounts.google.com", "aud": audience,
              "email": "workflows@local.iam.gserviceaccount.com", "local": True}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _exchange(outgoing: urllib.request.Request, wait: float) -> dict[str, Any]:
    try:
        with _OPENER.open(outgoing, timeout=wait) as response:
            return _result(response.status, response.headers, response.read())
    except urllib.error.HTTPError as failed:
        result = _result(failed.code, failed.headers, failed.read())
        raise error("HttpError", f"HTTP server responded with error code {failed.code}",
                    **result) from None
    except urllib.error.URLError as failed:
        if isinstance(failed.reason, (socket.timeout, TimeoutError)):
            raise _timeout(outgoing) from None
        raise error("ConnectionFailedError", f"connection failed: {failed.reason}") from None
    except (socket.timeout, TimeoutError):
        raise _timeout(outgoing) from None
    except (http.client.HTTPException, ConnectionError, OSError) as broken:
        raise error("ConnectionError", f"connection broken: {broken!r}") from None


def _timeout(outgoing: urllib.request.Request) -> Exception:
    return error("TimeoutError", f"HTTP request to {outgoing.full_url} timed out")


def _result(code: int, headers: Any, raw: bytes) -> dict[str, Any]:
    received = {name: ", ".join(headers.get_all(name)) for name in dict.fromkeys(headers.keys())}
    return {"body": _decode_body(raw, headers.get("Content-Type", "")), "code": code,
            "headers": received}


def _decode_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "json" in content_type.lower():
        try:
            return json.loads(raw)
        except ValueError:
            pass
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw


def _shortcut(method: str, with_body: bool):
    def call(url, timeout=DEFAULT_TIMEOUT_S, body=None, headers=None, query=None, auth=None):
        return request(method, url, timeout, body, headers, query, auth)

    def call_without_body(url, timeout=DEFAULT_TIMEOUT_S, headers=None, query=None, auth=None):
        return request(method, url, timeout, None, headers, query, auth)
    return call if with_body else call_without_body


register("http.request", blocking=True)(request)
register("http.get", blocking=True)(_shortcut("GET", with_body=False))
for _verb in ("post", "put", "patch", "delete"):
    register(f"http.{_verb}", blocking=True)(_shortcut(_verb.upper(), with_body=True))
