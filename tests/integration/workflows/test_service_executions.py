"""The Executions API of the Workflows stand-in, driven by the official ExecutionsClient."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timezone

import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud.workflows.executions_v1 import ExecutionsClient, types

from devstack.ports import free_port
from devstack.workflows import DeployRefused, start_workflows
from tests.integration.workflows.conftest import LOCATION, PROJECT, wait_finished

State = types.Execution.State
ECHO = """
main:
  params: [args]
  steps:
    - done:
        return: ${args}
"""
SLEEPER = """
main:
  params: [args]
  steps:
    - nap:
        call: sys.sleep
        args:
          seconds: ${args.seconds}
    - done:
        return: "woke up"
"""
FAILING = """
main:
  steps:
    - start:
        assign:
          - x: 1
    - refuse:
        raise:
          code: 7
          message: "out of stock"
"""
EXECUTION_NAME = re.compile(
    rf"^projects/{PROJECT}/locations/{LOCATION}/workflows/test-[0-9a-f]{{12}}/executions/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def start(client: ExecutionsClient, parent: str, argument: str = "") -> types.Execution:
    return client.create_execution(parent=parent, execution=types.Execution(argument=argument))


def test_created_execution_is_active_then_succeeds_with_its_result_as_json(client, deploy):
    # Given a deployed workflow that returns its argument
    parent = deploy(ECHO)
    before = datetime.now(timezone.utc)
    # When an execution starts
    created = start(client, parent, '{"order": "o-1", "total": 1250}')
    # Then it is ACTIVE at once, named like the service's, and ends SUCCEEDED with the result
    assert created.state == State.ACTIVE
    assert EXECUTION_NAME.match(created.name)
    assert re.fullmatch(r"000001-[0-9a-f]{3}", created.workflow_revision_id)
    assert created.argument == '{"order": "o-1", "total": 1250}'
    finished = wait_finished(client, created.name)
    assert finished.state == State.SUCCEEDED
    assert json.loads(finished.result) == {"order": "o-1", "total": 1250}
    assert finished.argument == created.argument
    assert before <= finished.start_time <= finished.end_time <= datetime.now(timezone.utc)
    assert finished.duration == finished.end_time - finished.start_time
    assert finished.error.payload == ""


def test_failed_execution_carries_the_error_value_and_its_stack(client, deploy):
    # Given a workflow whose second step raises a map
    parent = deploy(FAILING)
    # When it runs
    finished = wait_finished(client, start(client, parent).name)
    # Then it FAILED with the raised value as the payload and the step that raised it
    assert finished.state == State.FAILED
    assert json.loads(finished.error.payload) == {"code": 7, "message": "out of stock"}
    [frame] = finished.error.stack_trace.elements
    assert (frame.step, frame.routine, frame.position.line) == ("refuse", "main", 7)
    assert 'in step "refuse", routine "main", line: 7' in finished.error.context
    assert [(s.routine, s.step) for s in finished.status.current_steps] == [("main", "refuse")]
    assert finished.result == ""


def test_a_redeployed_workflow_runs_its_new_revision(client, deploy, workflows):
    # Given a workflow deployed twice under the same id
    parent = deploy(ECHO)
    workflow_id = parent.rsplit("/", 1)[-1]
    revision = workflows.deploy(workflow_id, 'main:\n  steps:\n    - done:\n        return: 2\n')
    # When an execution starts
    finished = wait_finished(client, start(client, parent).name)
    # Then it ran revision 2
    assert revision.startswith("000002-")
    assert (finished.workflow_revision_id, finished.result) == (revision, "2")


def test_deploy_time_error_is_refused_with_its_message(workflows):
    # When a definition the interpreter cannot deploy is sent
    with pytest.raises(DeployRefused) as refused:
        workflows.deploy(f"broken-{uuid.uuid4().hex[:8]}", "main:\n  steps: 12\n")
    # Then the stand-in refuses it with the interpreter's reason
    assert str(refused.value) == "subworkflow main: needs a `steps` list"


def test_a_workflow_that_cannot_deploy_stops_the_stand_in_at_start(tmp_path):
    # Given a workflows folder with a definition that cannot deploy
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "broken.yaml").write_text("main:\n  steps: 12\n")
    # When the stand-in starts on it
    with pytest.raises(RuntimeError) as failed:
        start_workflows(tmp_path / "local", project_id=PROJECT, location=LOCATION,
                        workflows_dirs=[folder], pubsub_host=None)
    # Then it did not start, and the message names the file
    assert f"cannot deploy {folder / 'broken.yaml'}: subworkflow main: needs a `steps` list" in (
        str(failed.value))


def test_unknown_workflow_and_unknown_execution_are_not_found(client, deploy):
    parent = deploy(ECHO)
    with pytest.raises(exceptions.NotFound):
        start(client, parent.rsplit("/", 1)[0] + "/no-such-workflow")
    with pytest.raises(exceptions.NotFound):
        client.get_execution(name=f"{parent}/executions/{uuid.uuid4()}")
    with pytest.raises(exceptions.NotFound):
        client.cancel_execution(name=f"{parent}/executions/{uuid.uuid4()}")
    with pytest.raises(exceptions.NotFound):
        start(client, f"projects/other/locations/{LOCATION}/workflows/" + parent.rsplit("/")[-1])


@pytest.mark.parametrize("argument", ['{"order": ', "not json", '"' + "x" * 32767 + '"'],
                         ids=["truncated", "not-json", "32-KiB-plus-one"])
def test_argument_that_is_not_json_or_over_32_kib_is_invalid(client, deploy, argument):
    # Given a workflow; when an execution starts with a bad argument
    with pytest.raises(exceptions.InvalidArgument):
        start(client, deploy(ECHO), argument)


def test_argument_of_exactly_32_kib_is_accepted(client, deploy):
    argument = '"' + "x" * 32766 + '"'
    assert len(argument.encode()) == 32 * 1024
    finished = wait_finished(client, start(client, deploy(ECHO), argument).name)
    assert finished.state == State.SUCCEEDED
    assert len(finished.result) == 32 * 1024


def test_cancel_while_sleeping_ends_the_execution_at_once(client, deploy):
    # Given an execution sleeping 1000 s of workflow time (10 s at the tests' time scale)
    created = start(client, deploy(SLEEPER), '{"seconds": 1000}')
    time.sleep(0.2)
    # When it is cancelled
    started = time.monotonic()
    cancelled = client.cancel_execution(name=created.name)
    # Then the reply and every later read say CANCELLED, and it stays so
    assert cancelled.state == State.CANCELLED
    assert time.monotonic() - started < 1.0
    time.sleep(0.3)
    finished = client.get_execution(name=created.name)
    assert finished.state == State.CANCELLED
    assert finished.result == ""
    assert finished.end_time == cancelled.end_time


def test_cancel_of_a_finished_execution_is_a_failed_precondition(client, deploy):
    finished = wait_finished(client, start(client, deploy(ECHO), "1").name)
    with pytest.raises(exceptions.FailedPrecondition):
        client.cancel_execution(name=finished.name)
    assert client.get_execution(name=finished.name).state == State.SUCCEEDED


def test_list_is_newest_first_paged_and_basic_by_default(client, deploy):
    # Given five finished executions of one workflow
    parent = deploy(ECHO)
    names = [start(client, parent, str(n)).name for n in range(5)]
    for name in names:
        wait_finished(client, name)
    # When they are listed two per page
    first = client.list_executions(request={"parent": parent, "page_size": 2})
    pages = list(first.pages)
    # Then they come newest first, three pages, in the BASIC view
    assert [[e.name for e in page.executions] for page in pages] == [
        names[4:2:-1], names[2:0:-1], names[0:1]]
    assert pages[-1].next_page_token == ""
    basic = pages[0].executions[0]
    assert (basic.state, basic.argument, basic.result) == (State.SUCCEEDED, "", "")
    assert basic.workflow_revision_id.startswith("000001-")
    full = client.list_executions(request={"parent": parent, "view": types.ExecutionView.FULL})
    assert [e.result for e in full] == ["4", "3", "2", "1", "0"]


def test_list_filters_on_state(client, deploy):
    parent = deploy(SLEEPER)
    sleeping = start(client, parent, '{"seconds": 1000}')
    done = wait_finished(client, start(client, parent, '{"seconds": 0}').name)
    active = client.list_executions(request={"parent": parent, "filter": 'state="ACTIVE"'})
    succeeded = client.list_executions(request={"parent": parent, "filter": "state=SUCCEEDED"})
    assert [e.name for e in active] == [sleeping.name]
    assert [e.name for e in succeeded] == [done.name]
    client.cancel_execution(name=sleeping.name)
    with pytest.raises(exceptions.InvalidArgument):
        list(client.list_executions(request={"parent": parent, "filter": 'stepName="x"'}))


def test_list_of_an_unknown_workflow_is_not_found(client, deploy):
    parent = deploy(ECHO)
    with pytest.raises(exceptions.NotFound):
        list(client.list_executions(parent=parent + "-missing"))


def test_api_endpoint_option_opens_tls_which_the_plaintext_stand_in_cannot_answer(workflows):
    # Given the client built the way a client of a TLS emulator would be
    client = ExecutionsClient(credentials=AnonymousCredentials(),
                              client_options={"api_endpoint": workflows.host})
    # When it calls the stand-in, Then the TLS handshake fails: hence the adapter's own channel
    with pytest.raises(exceptions.ServiceUnavailable):
        client.get_execution(name=f"{ExecutionsClient.workflow_path(PROJECT, LOCATION, 'x')}"
                             f"/executions/{uuid.uuid4()}", timeout=5)


def test_nothing_listens_on_a_closed_port_so_the_client_is_unavailable():
    client = ExecutionsClient(transport=_plaintext(f"127.0.0.1:{free_port()}"))
    with pytest.raises(exceptions.ServiceUnavailable):
        client.get_execution(name="projects/p/locations/l/workflows/w/executions/e", timeout=5)


def _plaintext(host: str):
    import grpc
    from google.cloud.workflows.executions_v1.services.executions.transports import (
        ExecutionsGrpcTransport,
    )

    return ExecutionsGrpcTransport(channel=grpc.insecure_channel(host))


def test_banner_says_executions_do_not_survive_a_restart(workflows):
    assert "do not survive a restart" in workflows.banner
    assert workflows.env() == {"WORKFLOWS_EMULATOR_HOST": workflows.host,
                               "WORKFLOWS_LOCATION": LOCATION}
