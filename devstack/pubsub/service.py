"""The google.pubsub.v1.Publisher gRPC service over a Broker (what PublisherClient talks to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1 import types

from devstack.pubsub.broker import Broker, TopicNotFound

SERVICE = "google.pubsub.v1.Publisher"


class PublisherService:
    """Create/Get/List/DeleteTopic, ListTopicSubscriptions and Publish over a Broker."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    def _topic_id(self, name: str, context: grpc.ServicerContext) -> str:
        """The topic id of an existing topic, or abort with NOT_FOUND."""
        try:
            topic = self.broker.topic_id(name)
        except TopicNotFound:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={name}).")
        if not self.broker.has_topic(topic):
            context.abort(grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={topic}).")
        return topic

    def create_topic(self, request: types.Topic, context: grpc.ServicerContext) -> types.Topic:
        """Create a topic; ALREADY_EXISTS when it exists."""
        try:
            topic = self.broker.topic_id(request.name)
        except TopicNotFound:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"not a topic of this project: {request.name}"
            )
        if not self.broker.create_topic(topic):
            context.abort(grpc.StatusCode.ALREADY_EXISTS, "Resource already exists in the project.")
        return types.Topic(name=request.name)

    def get_topic(
        self, request: types.GetTopicRequest, context: grpc.ServicerContext
    ) -> types.Topic:
        """Return an existing topic."""
        topic = self._topic_id(request.topic, context)
        return types.Topic(name=self.broker.topic_path(topic))

    def list_topics(
        self, request: types.ListTopicsRequest, context: grpc.ServicerContext
    ) -> types.ListTopicsResponse:
        """All topics of the project (one page)."""
        if request.project != f"projects/{self.broker.project_id}":
            return types.ListTopicsResponse()
        names = [types.Topic(name=self.broker.topic_path(topic)) for topic in self.broker.topics()]
        return types.ListTopicsResponse(topics=names)

    def list_topic_subscriptions(
        self, request: types.ListTopicSubscriptionsRequest, context: grpc.ServicerContext
    ) -> types.ListTopicSubscriptionsResponse:
        """The events.yaml subscriptions of a topic."""
        topic = self._topic_id(request.topic, context)
        names = [
            f"projects/{self.broker.project_id}/subscriptions/{subscription.name}"
            for subscription in self.broker.config.subscriptions
            if subscription.topic == topic
        ]
        return types.ListTopicSubscriptionsResponse(subscriptions=names)

    def publish(
        self, request: types.PublishRequest, context: grpc.ServicerContext
    ) -> types.PublishResponse:
        """Accept messages and return their ids; deliveries happen later on worker threads."""
        topic = self._topic_id(request.topic, context)
        if not request.messages:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "The request contains no messages.")
        items = []
        for message in request.messages:
            if not message.data and not message.attributes:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT, "A message needs data or attributes."
                )
            items.append((bytes(message.data), dict(message.attributes), message.ordering_key))
        try:
            ids = self.broker.publish(topic, items)
        except TopicNotFound:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Resource not found (resource={topic}).")
        return types.PublishResponse(message_ids=ids)

    def delete_topic(
        self, request: types.DeleteTopicRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        """Delete a topic."""
        topic = self._topic_id(request.topic, context)
        self.broker.delete_topic(topic)
        return empty_pb2.Empty()


def _handler(
    method: Callable[..., Any], request_type: Any, response_serializer: Callable[[Any], bytes]
) -> Any:
    """A unary-unary handler with proto-plus (de)serialisation."""
    return grpc.unary_unary_rpc_method_handler(
        method,
        request_deserializer=request_type.deserialize,
        response_serializer=response_serializer,
    )


def generic_handler(broker: Broker) -> grpc.GenericRpcHandler:
    """The Publisher service as a generic gRPC handler."""
    service = PublisherService(broker)
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "CreateTopic": _handler(service.create_topic, types.Topic, types.Topic.serialize),
            "GetTopic": _handler(service.get_topic, types.GetTopicRequest, types.Topic.serialize),
            "ListTopics": _handler(
                service.list_topics, types.ListTopicsRequest, types.ListTopicsResponse.serialize
            ),
            "ListTopicSubscriptions": _handler(
                service.list_topic_subscriptions,
                types.ListTopicSubscriptionsRequest,
                types.ListTopicSubscriptionsResponse.serialize,
            ),
            "Publish": _handler(
                service.publish, types.PublishRequest, types.PublishResponse.serialize
            ),
            "DeleteTopic": _handler(
                service.delete_topic, types.DeleteTopicRequest, empty_pb2.Empty.SerializeToString
            ),
        },
    )
