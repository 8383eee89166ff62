"""Events leave through the outbox after commit and have exactly one effect."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from common import bootstrap
from tests.conftest import ROOT, unique_email

pytestmark = pytest.mark.events


class BlackHole:
    """A TCP listener that accepts connections and never answers: a publish into it hangs."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return "127.0.0.1:%d" % self.socket.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)
            self.connected.set()

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.socket.close()


def _outbox_rows(email: str) -> list:
    with bootstrap.engine().connect() as db:
        return db.execute(text(
            "SELECT o.id, o.published_at FROM outbox_events o JOIN accounts a "
            "ON o.payload->>'account_id' = a.id::text WHERE a.email = :email"),
            {"email": email}).all()


def test_a_relay_killed_between_commit_and_publish_is_covered_by_the_sweep(stack, mail, pubsub):
    # Given a registration whose process dies while publishing, after its commit
    hole, email = BlackHole(), unique_email("killed")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.register_then_publish", email],
        cwd=ROOT, env={**os.environ, "PUBSUB_EMULATOR_HOST": hole.address})
    try:
        assert hole.connected.wait(60), "the relay never tried to publish"
        child.kill()
        child.wait(10)
    finally:
        hole.close()
    rows = _outbox_rows(email)
    assert len(rows) == 1 and rows[0].published_at is None
    assert mail.messages(to=email) == []
    # When the scheduled sweep runs (twice, as it would every minute)
    assert bootstrap.relay().sweep(grace_s=0) >= 1
    bootstrap.relay().sweep(grace_s=0)
    # Then exactly one verification mail arrives
    mail.wait_for(email, subject_contains="Confirm your email", timeout=30)
    pubsub.wait_until_idle(timeout=30)
    assert len(mail.messages(to=email)) == 1
    assert _outbox_rows(email)[0].published_at is not None


def test_a_republished_event_is_not_applied_twice(stack, mail, pubsub):
    # Given a registration whose verification mail went out
    from tests.e2e.client import Api

    api = Api(stack.base_url, mail)
    user = api.register("customer", verify=False, login=False)
    mail.wait_for(user.email, subject_contains="Confirm your email", timeout=30)
    # When its event is published again (a sweep racing the relay, a replay)
    with bootstrap.engine().begin() as db:
        db.execute(text("UPDATE outbox_events SET published_at = NULL, occurred_at = "
                        "occurred_at - interval '1 minute' WHERE id = :id"),
                   {"id": _outbox_rows(user.email)[0].id})
    assert bootstrap.relay().sweep(grace_s=0) >= 1
    pubsub.wait_until_idle(timeout=30)
    time.sleep(0.2)
    # Then the inbox recognises it: still one mail
    assert len(mail.messages(to=user.email)) == 1


def test_the_sweep_function_answers_on_its_internal_path(stack):
    import requests

    response = requests.post(f"{stack.base_url}/_internal/sweep_outbox", timeout=30)
    assert response.status_code == 200
    assert isinstance(response.json()["published"], int)


def test_each_message_is_pushed_once_or_twice_by_the_switch_and_acts_once(stack, mail, pubsub):
    # Given the stand-in in the mode this run chose (nox -s tests runs both)
    from tests.conftest import DUPLICATE_DELIVERY
    from tests.e2e.client import Api

    copies = 2 if DUPLICATE_DELIVERY else 1
    pubsub.wait_until_idle(timeout=30)
    before = pubsub.stats()
    topics = ("identity", "security-signals")
    # The stand-in keeps the recent messages only: tell the new ones by id, not by position.
    seen = {m.message_id for topic in topics for m in pubsub.messages(topic)}
    # When one registration publishes its user.registered (through the outbox) and its
    # signal.registration (directly, for fraud screening)
    user = Api(stack.base_url, mail).register("customer", verify=False, login=False)
    mail.wait_for(user.email, subject_contains="Confirm your email", timeout=30)
    pubsub.wait_until_idle(timeout=30)
    after = pubsub.stats()
    new = [m for topic in topics for m in pubsub.messages(topic) if m.message_id not in seen]
    # Then each was pushed `copies` times to every subscription it matches, and mailed once
    assert sorted(m.attributes["type"] for m in new) == ["signal.registration", "user.registered"]
    assert after["published"] - before["published"] == 2
    subscribers = sum(1 for m in new for sub in pubsub.config.subscriptions
                      if sub.topic == m.topic and sub.matches(m.attributes))
    assert after["acked"] - before["acked"] == copies * subscribers
    assert len(mail.messages(to=user.email)) == 1
