"""Topics and push subscriptions, read from terraform/events.yaml (the one declaration of them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from devstack.pubsub.filters import Predicate, compile_filter

DEAD_LETTER_SUFFIX = "-dead-letter"
DEFAULT_MAX_DELIVERY_ATTEMPTS = 5


@dataclass(frozen=True)
class Subscription:
    """A push subscription of events.yaml: to a function, or to an edge worker (`service:`,
    pushed to `<service url>/_events/<subscription name>`; `function` is then "")."""

    name: str
    topic: str
    function: str
    filter: str
    max_delivery_attempts: int
    matches: Predicate = field(repr=False, compare=False)
    service: str = ""

    @property
    def dead_letter_topic(self) -> str:
        """The topic a message goes to after max_delivery_attempts failed deliveries."""
        return self.topic + DEAD_LETTER_SUFFIX


@dataclass(frozen=True)
class EventsConfig:
    """Topic names and subscriptions declared in events.yaml."""

    topics: tuple[str, ...]
    subscriptions: tuple[Subscription, ...]

    def all_topics(self) -> list[str]:
        """Declared topics plus a dead-letter topic for each subscribed topic."""
        dead_letters = {subscription.dead_letter_topic for subscription in self.subscriptions}
        return sorted(set(self.topics) | dead_letters)


def _subscription(name: str, spec: dict[str, object], topics: set[str]) -> Subscription:
    """Validate and build one subscription entry."""
    topic = str(spec.get("topic", ""))
    if topic not in topics:
        raise ValueError(f"subscription {name!r}: topic {topic!r} is not declared under topics:")
    if bool(spec.get("function")) == bool(spec.get("service")):
        raise ValueError(f"subscription {name!r}: name a function or a service (one of them)")
    if spec.get("service") and spec.get("via"):
        raise ValueError(f"subscription {name!r}: an edge service takes push subscriptions only")
    attempts = int(spec.get("max_delivery_attempts", DEFAULT_MAX_DELIVERY_ATTEMPTS))  # type: ignore[call-overload]
    if not 5 <= attempts <= 100:
        raise ValueError(
            f"subscription {name!r}: max_delivery_attempts must be 5..100 (as in Pub/Sub)"
        )
    text = str(spec.get("filter") or "")
    return Subscription(name, topic, str(spec.get("function") or ""), text, attempts,
                        compile_filter(text), str(spec.get("service") or ""))


def load_events(path: Path) -> EventsConfig:
    """Read and validate events.yaml."""
    document = yaml.safe_load(Path(path).read_text()) or {}
    topics = set((document.get("topics") or {}).keys())
    subscriptions = tuple(
        _subscription(name, spec or {}, topics)
        for name, spec in (document.get("subscriptions") or {}).items()
    )
    return EventsConfig(tuple(sorted(topics)), subscriptions)
