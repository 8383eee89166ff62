"""A reverse proxy to one edge worker: what the load balancer's URL map does for its routes.

Method, path, query, headers and body go to the service; its status, headers and body
stream back. `X-Forwarded-For` gets the client's address and the balancer's appended, as
Google's external Application Load Balancer writes it (`<what the client sent>, <client
address>, <balancer address>`). A service that does not answer gives 503 problem+json.
"""

from __future__ import annotations

import http.client
import urllib.parse
from typing import Callable, Iterable, Iterator

from werkzeug.wsgi import get_input_stream

from common.domain.errors import ServiceUnavailable
from common.http_problems import problem_response

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate",
                        "proxy-authorization", "te", "trailer", "trailers",
                        "transfer-encoding", "upgrade"})
TIMEOUT_S = 60.0
CHUNK_BYTES = 64 * 1024


class EdgeProxy:
    """A WSGI app forwarding every request to the service at base_url."""

    def __init__(self, service: str, base_url: str) -> None:
        self.service = service
        target = urllib.parse.urlsplit(base_url)
        self.host, self.port = target.hostname or "127.0.0.1", target.port or 80

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = get_input_stream(environ).read()
        path = urllib.parse.quote(environ.get("PATH_INFO", "/"), safe="/:@!$&'()*+,;=-._~")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        try:
            connection.request(environ.get("REQUEST_METHOD", "GET"), path, body=body,
                               headers=forwarded_headers(environ))
            response = connection.getresponse()
        except OSError as error:
            connection.close()
            problem = ServiceUnavailable(f"edge worker {self.service}", error)
            return problem_response(problem, None)(environ, start_response)
        start_response(f"{response.status} {response.reason}",
                       [(name, value) for name, value in response.getheaders()
                        if name.lower() not in HOP_BY_HOP])
        return _stream(response, connection)


def forwarded_headers(environ: dict) -> dict[str, str]:
    """The request's end-to-end headers, X-Forwarded-For/-Proto added as the balancer adds them."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = environ[key]
    headers = {name: value for name, value in headers.items()
               if name.lower() not in HOP_BY_HOP}
    chain = [headers.pop("X-Forwarded-For", ""), environ.get("REMOTE_ADDR", ""),
             environ.get("SERVER_NAME", "")]
    headers["X-Forwarded-For"] = ", ".join(hop for hop in chain if hop)
    headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
    return headers


def _stream(response: http.client.HTTPResponse,
            connection: http.client.HTTPConnection) -> Iterator[bytes]:
    """The service's body in chunks, as it arrives; the connection closed at the end."""
    try:
        while chunk := response.read(CHUNK_BYTES):
            yield chunk
    finally:
        connection.close()
