"""The anonymizer's publishing: at once when the topic takes it, buffered (bounded, in
order) when it does not, 503 when the buffer is full, and the per-instance rate limit."""

from __future__ import annotations

import pytest

from common.domain.errors import ServiceUnavailable
from edge_workers.anonymizer.buffer import BufferedPublisher
from edge_workers.anonymizer.limits import MemoryRateLimiter
from edge_workers.anonymizer.pipeline import Message


class FakeSink:
    def __init__(self) -> None:
        self.up = True
        self.published: list[str] = []

    def publish(self, messages) -> None:  # noqa: ANN001
        if not self.up:
            raise TimeoutError("topic unreachable")
        self.published += [m.id for m in messages]


def messages(*ids: str) -> list[Message]:
    return [Message("analytics", "analytics.event", i, {"id": i}) for i in ids]


def publisher(sink: FakeSink, capacity: int = 3) -> BufferedPublisher:
    return BufferedPublisher(sink, capacity, retry_s=3600)  # the test flushes by hand


def test_with_the_topic_up_a_batch_is_published_at_once():
    sink = FakeSink()
    publisher(sink).submit(messages("a", "b"))
    assert sink.published == ["a", "b"]


def test_with_the_topic_down_batches_wait_in_order_and_are_published_when_it_returns():
    # Given the topic down
    sink = FakeSink()
    sink.up = False
    buffered = publisher(sink, capacity=4)

    # When two batches come, then the topic returns, then a third batch comes
    buffered.submit(messages("a", "b"))
    buffered.submit(messages("c"))
    waiting = buffered.waiting()
    sink.up = True
    buffered.submit(messages("d"))  # queued behind the waiting ones, not published first
    flushed = buffered.flush()

    # Then nothing was lost and the order was kept
    assert (waiting, flushed, sink.published, buffered.waiting()) == (
        3, True, ["a", "b", "c", "d"], 0)


def test_a_batch_that_does_not_fit_the_buffer_is_refused_whole_with_retry_after():
    sink = FakeSink()
    sink.up = False
    buffered = publisher(sink, capacity=3)
    buffered.submit(messages("a", "b"))

    with pytest.raises(ServiceUnavailable) as refused:
        buffered.submit(messages("c", "d"))

    assert buffered.waiting() == 2  # none of c, d kept
    assert "Retry-After" in refused.value.headers()


def test_the_rate_limit_counts_per_bucket_and_window_and_gives_back_a_released_hit():
    clock = [100.0]
    limiter = MemoryRateLimiter(window_s=60, clock=lambda: clock[0])

    first = [limiter.reserve([("p", 2)]) for _ in range(2)]
    refused = limiter.reserve([("p", 2)])
    other = limiter.reserve([("q", 2)])
    limiter.release(["p"])
    after_release = limiter.reserve([("p", 2)])
    clock[0] = 180.0
    next_window = limiter.reserve([("p", 2)])

    assert (first, refused, other, after_release, next_window) == (
        [None, None], 20, None, None, None)
