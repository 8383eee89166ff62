"""Pub/Sub stand-in: a Publisher gRPC server that pushes to functions per events.yaml."""

from devstack.pubsub.config import EventsConfig, Subscription, load_events
from devstack.pubsub.filters import FilterError, compile_filter
from devstack.pubsub.server import LocalPubSub, start_pubsub

__all__ = [
    "EventsConfig",
    "FilterError",
    "LocalPubSub",
    "Subscription",
    "compile_filter",
    "load_events",
    "start_pubsub",
]
