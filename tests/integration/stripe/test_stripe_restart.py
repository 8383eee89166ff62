"""The twin as a process: `python -m devstack.stripe`, with state surviving a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import stripe

from devstack.ports import free_port


def _start(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.stripe", "--port", str(port), "--data-dir",
         str(data_dir)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    assert process.wait(10) == 0


def test_state_and_keys_survive_a_restart(data_dir: Path) -> None:
    port = free_port()
    process, info = _start(data_dir, port)
    try:
        assert info["url"] == f"http://127.0.0.1:{port}"
        assert info["secret_key"].startswith("sk_test_")
        assert info["publishable_key"].startswith("pk_test_")
        client = stripe.StripeClient(info["secret_key"], base_addresses={"api": info["url"]},
                                     max_network_retries=0)
        pi = client.v1.payment_intents.create(
            params={"amount": 990, "currency": "eur", "payment_method": "pm_card_visa",
                    "confirm": True, "capture_method": "manual"},
            options={"idempotency_key": "restart-key"})
    finally:
        _stop(process)

    process, again = _start(data_dir, port)
    try:
        assert again == info
        captured = client.v1.payment_intents.capture(pi.id)
        replay = client.v1.payment_intents.create(
            params={"amount": 990, "currency": "eur", "payment_method": "pm_card_visa",
                    "confirm": True, "capture_method": "manual"},
            options={"idempotency_key": "restart-key"})
    finally:
        _stop(process)

    assert (captured.status, captured.amount_received) == ("succeeded", 990)
    assert (replay.id, replay.status) == (pi.id, "requires_capture")
    assert replay.last_response.headers["Idempotent-Replayed"] == "true"


def test_the_process_takes_duplicate_delivery_and_the_shared_time_scale(
        data_dir: Path, receiver: Any) -> None:
    receiver.answers.append(500)  # retried after 300 s × BAZAAR_TIME_SCALE = 0.03 s
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.stripe", "--port", str(free_port()), "--data-dir",
         str(data_dir), "--webhook-url", receiver.url, "--duplicate-delivery"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "BAZAAR_TIME_SCALE": "0.0001"})
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        client = stripe.StripeClient(info["secret_key"], base_addresses={"api": info["url"]},
                                     max_network_retries=0)
        pi = client.v1.payment_intents.create(params={"amount": 100, "currency": "eur"})
        receiver.wait_for(3)
    finally:
        _stop(process)

    events = [stripe.Webhook.construct_event(body, signature, info["webhook_secret"])
              for body, signature, _ in receiver.received]
    assert [(e.type, e.data.object.id) for e in events] == [("payment_intent.created", pi.id)] * 3
    assert sorted(status for _, _, status in receiver.received) == [200, 200, 500]
