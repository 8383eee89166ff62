"""start_pubsub: the Publisher gRPC server on 127.0.0.1 plus push delivery to local functions."""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc

from devstack.ports import HOST
from devstack.pubsub.broker import Broker
from devstack.pubsub.config import EventsConfig, load_events
from devstack.pubsub.delivery import Message
from devstack.pubsub.service import generic_handler


@dataclass
class LocalPubSub:
    """A running Pub/Sub stand-in."""

    server: grpc.Server
    broker: Broker
    port: int

    @property
    def host(self) -> str:
        """host:port, as PUBSUB_EMULATOR_HOST wants it."""
        return f"{HOST}:{self.port}"

    @property
    def config(self) -> EventsConfig:
        """Topics and subscriptions read from events.yaml."""
        return self.broker.config

    def env(self) -> dict[str, str]:
        """Environment variables that point google-cloud-pubsub (and fake-gcs-server) here."""
        return {"PUBSUB_EMULATOR_HOST": self.host}

    def topics(self) -> list[str]:
        """The topic ids that exist now."""
        return self.broker.topics()

    def messages(self, topic: str) -> list[Message]:
        """Recent messages published to a topic (oldest first), for tests and debugging."""
        return self.broker.messages(topic)

    def stats(self) -> dict[str, int]:
        """Counts: published, delivered (push attempts), acked, failed, dead_lettered, pending."""
        return self.broker.stats()

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Return once nothing is queued, awaiting a retry or in flight; else TimeoutError."""
        self.broker.deliverer.wait_until_idle(timeout)

    def stop(self) -> None:
        """Stop serving and delivering (queued deliveries are dropped)."""
        self.server.stop(grace=0.1).wait()
        self.broker.deliverer.stop()


def start_pubsub(
    project_id: str,
    events_yaml: Path,
    endpoint_for: Callable[[str], str],
    port: int = 8085,
    duplicate_delivery: bool = False,
    state_dir: Path | None = None,
    service_endpoint_for: Callable[[str, str], str] | None = None,
) -> LocalPubSub:
    """Serve the Publisher API on 127.0.0.1:port (0: any free); push to endpoint_for(function),
    or for a `service:` subscription to service_endpoint_for(service, subscription)."""
    config = load_events(events_yaml)
    broker = Broker(project_id, config, endpoint_for, duplicate_delivery, state_dir,
                    service_endpoint_for)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="pubsub-grpc"),
        options=[
            ("grpc.so_reuseport", 0)
        ],  # a second stand-in on the same port must fail, not share it
    )
    server.add_generic_rpc_handlers((generic_handler(broker),))
    try:
        bound = server.add_insecure_port(f"{HOST}:{port}")
    except RuntimeError:
        bound = 0
    if bound == 0:
        broker.deliverer.stop()
        raise RuntimeError(f"cannot bind the Pub/Sub stand-in to {HOST}:{port} (in use?)")
    server.start()
    return LocalPubSub(server, broker, bound)
