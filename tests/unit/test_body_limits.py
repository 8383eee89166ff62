"""Request bodies are bounded while they are read: a chunked body (no Content-Length) is
read no further than one byte past the limit, then refused with 413."""

from __future__ import annotations

import io

import flask
import pytest
from werkzeug.test import EnvironBuilder

from common.api.operations import OPERATIONS
from common.domain.errors import Problem
from common.http_inputs import MAX_BODY_BYTES, parse_body, parse_upload

REGISTER = OPERATIONS["register_customer"]
SEARCH_BY_IMAGE = OPERATIONS["search_products_by_image"]
UPLOAD_LIMIT = SEARCH_BY_IMAGE.max_upload_bytes + MAX_BODY_BYTES
BOUNDARY = "bound"


class CountingStream(io.RawIOBase):
    """A client's body as the server reads it: `data`, then `filler` up to `size` bytes."""

    def __init__(self, size: int, data: bytes = b"", filler: bytes = b" ") -> None:
        self.size, self.data, self.filler, self.served = size, data, filler, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        n = min(len(buffer), self.size - self.served)
        head = self.data[self.served:self.served + n]
        buffer[:n] = head + self.filler * (n - len(head))
        self.served += n
        return n


def _chunked(stream: CountingStream, content_type: str) -> flask.Request:
    """A request as a server that de-chunks the body hands it over: no Content-Length."""
    environ = EnvironBuilder(method="POST", path="/").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"CONTENT_TYPE": content_type, "wsgi.input": stream,
                    "wsgi.input_terminated": True})
    return flask.Request(environ)


def _file_part_head() -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; "
            f"filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()


def test_a_chunked_json_body_is_read_no_further_than_the_limit():
    # Given a client streaming 32 MiB of JSON without a Content-Length
    stream = CountingStream(32 * 1024 * 1024, b'{"name": "')
    # When the body is parsed
    with pytest.raises(Problem) as refused:
        parse_body(REGISTER, _chunked(stream, "application/json"))
    # Then it is refused 413 having read one byte past the limit at most
    assert (refused.value.status, refused.value.code) == (413, "payload_too_large")
    assert stream.served <= MAX_BODY_BYTES + 1


@pytest.mark.parametrize("size,status", [
    pytest.param(MAX_BODY_BYTES, 422, id="exactly-the-limit-is-read"),
    pytest.param(MAX_BODY_BYTES + 1, 413, id="one-byte-more-is-refused"),
])
def test_the_limit_of_a_chunked_json_body_is_exact(size, status):
    stream = CountingStream(size, b"{", filler=b" ")
    with pytest.raises(Problem) as refused:  # 422: `{   ` is no registration
        parse_body(REGISTER, _chunked(stream, "application/json"))
    assert refused.value.status == status


def test_a_chunked_json_body_stays_readable_for_the_idempotency_digest():
    body = b'{"name": "Val", "email": "val@example.com", "password": "Sunny-meadow-42"}'
    request = _chunked(CountingStream(len(body), body), "application/json")
    assert parse_body(REGISTER, request).name == "Val"
    assert request.get_data(cache=True) == body


def test_a_chunked_upload_is_read_no_further_than_its_limit():
    stream = CountingStream(64 * 1024 * 1024, _file_part_head())
    with pytest.raises(Problem) as refused:
        parse_upload(SEARCH_BY_IMAGE, _chunked(
            stream, f"multipart/form-data; boundary={BOUNDARY}"))
    assert (refused.value.status, refused.value.code) == (413, "payload_too_large")
    assert stream.served <= UPLOAD_LIMIT + 64 * 1024  # the multipart parser reads in 64 KiB


def test_a_chunked_upload_within_its_limit_is_read():
    photo = b"\xff\xd8\xff" + b"p" * 5000
    body = _file_part_head() + photo + f"\r\n--{BOUNDARY}--\r\n".encode()
    request = _chunked(CountingStream(len(body), body),
                       f"multipart/form-data; boundary={BOUNDARY}")
    assert parse_upload(SEARCH_BY_IMAGE, request) == photo
