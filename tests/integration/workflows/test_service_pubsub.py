"""The Pub/Sub connector of the Workflows stand-in publishes to the local Pub/Sub stand-in."""

from __future__ import annotations

import json

from google.cloud.workflows.executions_v1 import types

from tests.integration.workflows.conftest import TOPIC, wait_finished, wait_until

PUBLISHER = """
main:
  params: [args]
  steps:
    - publish:
        call: googleapis.pubsub.v1.projects.topics.publish
        args:
          topic: ${"projects/" + sys.get_env("GOOGLE_CLOUD_PROJECT_ID") + "/topics/" + args.topic}
          body:
            messages:
              - data: ${base64.encode(json.encode(args.event))}
                attributes:
                  type: order.placed
        result: published
    - done:
        return: ${published}
"""


def run(client, deploy, argument: dict) -> types.Execution:
    created = client.create_execution(parent=deploy(PUBLISHER),
                                      execution=types.Execution(argument=json.dumps(argument)))
    return wait_finished(client, created.name)


def test_published_message_reaches_the_local_pubsub_stand_in(client, deploy, pubsub):
    # Given a workflow that publishes its event with the Pub/Sub connector
    before = len(pubsub.messages(TOPIC))
    # When it runs
    finished = run(client, deploy, {"topic": TOPIC, "event": {"order": "o-7", "total": 990}})
    # Then the stand-in holds the message, and the workflow got its id back
    assert finished.state == types.Execution.State.SUCCEEDED
    message = wait_until(lambda: pubsub.messages(TOPIC)[before:])[0]
    assert json.loads(message.data) == {"order": "o-7", "total": 990}
    assert message.attributes == {"type": "order.placed"}
    assert json.loads(finished.result) == {"messageIds": [message.message_id]}


def test_publish_to_a_missing_topic_fails_with_the_connector_http_error(client, deploy):
    finished = run(client, deploy, {"topic": "no-such-topic", "event": {}})
    assert finished.state == types.Execution.State.FAILED
    error = json.loads(finished.error.payload)
    assert (error["tags"], error["code"]) == (["HttpError"], 404)
    assert error["body"]["error"]["status"] == "NOT_FOUND"
