"""The stand-in's state: topics, published messages, fan-out to subscriptions, dead letters."""

from __future__ import annotations

import base64
import collections
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from devstack.pubsub.config import EventsConfig
from devstack.pubsub.delivery import Deliverer, Delivery, Message

RECENT_MESSAGES_PER_TOPIC = 1000


class TopicNotFound(KeyError):
    """Publish or GetTopic on a topic that does not exist."""


def rfc3339_now() -> str:
    """The current UTC time as RFC 3339 with milliseconds and a Z, as Pub/Sub writes it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Broker:
    """Topics and subscriptions of one project; publishes fan out to push deliveries."""

    def __init__(
        self,
        project_id: str,
        config: EventsConfig,
        endpoint_for: Callable[[str], str],
        duplicate_delivery: bool = False,
        state_dir: Path | None = None,
        service_endpoint_for: Callable[[str, str], str] | None = None,
    ) -> None:
        self.project_id = project_id
        self.config = config
        self.state_dir = state_dir
        self._lock = threading.Lock()
        self._topics: dict[str, collections.deque[Message]] = {}
        for topic in config.all_topics():
            self._topics[topic] = collections.deque(maxlen=RECENT_MESSAGES_PER_TOPIC)
        # Numeric ids, unique across restarts (consumers deduplicate on messageId).
        self._ids = itertools.count(time.time_ns() // 1000)
        self.published_count = 0
        self.deliverer = Deliverer(project_id, endpoint_for, self._dead_letter, duplicate_delivery,
                                   service_endpoint_for=service_endpoint_for)

    def topic_path(self, topic: str) -> str:
        """projects/<project>/topics/<topic>."""
        return f"projects/{self.project_id}/topics/{topic}"

    def topic_id(self, path: str) -> str:
        """The topic id of a full topic name of this project; TopicNotFound otherwise."""
        prefix = f"projects/{self.project_id}/topics/"
        if not path.startswith(prefix):
            raise TopicNotFound(path)
        return path[len(prefix) :]

    def create_topic(self, topic: str) -> bool:
        """Create a topic; False when it already existed."""
        with self._lock:
            if topic in self._topics:
                return False
            self._topics[topic] = collections.deque(maxlen=RECENT_MESSAGES_PER_TOPIC)
            return True

    def has_topic(self, topic: str) -> bool:
        """True when the topic exists."""
        with self._lock:
            return topic in self._topics

    def delete_topic(self, topic: str) -> None:
        """Delete a topic (its subscriptions from events.yaml stay)."""
        with self._lock:
            if self._topics.pop(topic, None) is None:
                raise TopicNotFound(topic)

    def topics(self) -> list[str]:
        """All topic ids, sorted."""
        with self._lock:
            return sorted(self._topics)

    def publish(self, topic: str, items: Iterable[tuple[bytes, dict[str, str], str]]) -> list[str]:
        """Store (data, attributes, ordering_key) messages and schedule their pushes; return ids."""
        with self._lock:
            if topic not in self._topics:
                raise TopicNotFound(topic)
            messages = [
                Message(topic, str(next(self._ids)), data, dict(attributes), rfc3339_now(), key)
                for data, attributes, key in items
            ]
            self._topics[topic].extend(messages)
            self.published_count += len(messages)
        for message in messages:
            for subscription in self.config.subscriptions:
                if subscription.topic == topic and subscription.matches(message.attributes):
                    self.deliverer.enqueue(subscription, message)
        return [message.message_id for message in messages]

    def messages(self, topic: str) -> list[Message]:
        """The recent messages published to a topic, oldest first."""
        with self._lock:
            if topic not in self._topics:
                raise TopicNotFound(topic)
            return list(self._topics[topic])

    def _dead_letter(self, delivery: Delivery) -> None:
        """Forward a message that exhausted its attempts to the dead-letter topic (and the log)."""
        message, subscription = delivery.message, delivery.subscription
        attributes = dict(message.attributes)
        attributes.update(
            CloudPubSubDeadLetterSourceDeliveryCount=str(delivery.attempt),
            CloudPubSubDeadLetterSourceSubscription=subscription.name,
            CloudPubSubDeadLetterSourceSubscriptionProject=self.project_id,
            CloudPubSubDeadLetterSourceTopicPublishTime=message.publish_time,
        )
        self.create_topic(subscription.dead_letter_topic)
        self.publish(subscription.dead_letter_topic, [(message.data, attributes, "")])
        if self.state_dir is not None:
            self._append_dead_letter_log(delivery)

    def _append_dead_letter_log(self, delivery: Delivery) -> None:
        """Append a JSON line about a dead-lettered message to state_dir/dead-letter.jsonl."""
        assert self.state_dir is not None
        message = delivery.message
        record = {
            "deadLetteredAt": rfc3339_now(),
            "subscription": delivery.subscription.name,
            "function": delivery.subscription.function,
            "topic": message.topic,
            "messageId": message.message_id,
            "publishTime": message.publish_time,
            "attributes": message.attributes,
            "data": base64.b64encode(message.data).decode("ascii"),
            "deliveryAttempts": delivery.attempt,
            "lastError": delivery.last_error,
        }
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.state_dir / "dead-letter.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(record, sort_keys=True) + "\n")

    def stats(self) -> dict[str, int]:
        """Counts: published, delivered (push attempts), acked, failed, dead_lettered, pending."""
        with self._lock:
            published = self.published_count
        return {"published": published, **self.deliverer.snapshot()}
