"""GoogleWorkflowExecutions (the production adapter) on the running Workflows stand-in."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest

from common.adapters.workflow_executions import GoogleWorkflowExecutions
from common.domain.errors import ServiceUnavailable
from common.ports.workflow_executions import (
    ArgumentRejected,
    ExecutionFinished,
    ExecutionNotFound,
    ExecutionState,
    ExecutionStatus,
)
from common.settings import SettingsError, from_environment
from devstack.ports import free_port
from tests.integration.workflows.conftest import LOCATION, PROJECT, wait_until

WORKFLOW = """
main:
  params: [args]
  steps:
    - nap:
        call: sys.sleep
        args:
          seconds: ${args.seconds}
    - decide:
        switch:
          - condition: ${args.fail}
            next: decline
        next: done
    - decline:
        raise:
          message: "declined"
          code: 402
    - done:
        return:
          order: ${args.order}
          total: ${args.total}
"""


@pytest.fixture
def workflow_id(workflows) -> str:
    workflow_id = f"adapter-{uuid.uuid4().hex[:8]}"
    workflows.deploy(workflow_id, WORKFLOW)
    return workflow_id


def finished(adapter: GoogleWorkflowExecutions, name: str) -> ExecutionState:
    return wait_until(lambda: (state := adapter.get(name)).finished and state)


def test_start_then_get_gives_the_decoded_result(adapter, workflow_id):
    name = adapter.start(workflow_id, {"seconds": 0, "fail": False, "order": "o-1", "total": 1250})
    assert name.startswith(f"projects/{PROJECT}/locations/{LOCATION}/workflows/{workflow_id}/")
    assert finished(adapter, name) == ExecutionState(
        name, ExecutionStatus.SUCCEEDED, result={"order": "o-1", "total": 1250})


def test_a_failed_execution_gives_the_decoded_error(adapter, workflow_id):
    name = adapter.start(workflow_id, {"seconds": 0, "fail": True, "order": "o-2", "total": 1})
    assert finished(adapter, name) == ExecutionState(
        name, ExecutionStatus.FAILED, error={"message": "declined", "code": 402})


def test_cancel_an_active_execution_then_a_finished_one(adapter, workflow_id):
    name = adapter.start(workflow_id, {"seconds": 1000, "fail": False, "order": "o", "total": 0})
    assert adapter.get(name) == ExecutionState(name, ExecutionStatus.ACTIVE)
    adapter.cancel(name)
    assert adapter.get(name) == ExecutionState(name, ExecutionStatus.CANCELLED)
    with pytest.raises(ExecutionFinished):
        adapter.cancel(name)


def test_unknown_workflow_and_execution_raise_not_found(adapter, workflow_id):
    with pytest.raises(ExecutionNotFound):
        adapter.start(f"missing-{uuid.uuid4().hex[:8]}", {})
    missing = (f"projects/{PROJECT}/locations/{LOCATION}/workflows/{workflow_id}"
               f"/executions/{uuid.uuid4()}")
    with pytest.raises(ExecutionNotFound):
        adapter.get(missing)
    with pytest.raises(ExecutionNotFound):
        adapter.cancel(missing)


def test_an_argument_over_32_kib_is_rejected(adapter, workflow_id):
    with pytest.raises(ArgumentRejected):
        adapter.start(workflow_id, {"padding": "x" * 32 * 1024})


def test_an_unreachable_service_is_service_unavailable():
    adapter = GoogleWorkflowExecutions(PROJECT, LOCATION,
                                       emulator_host=f"127.0.0.1:{free_port()}", timeout_s=5)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as unavailable:
        adapter.get(f"projects/{PROJECT}/locations/{LOCATION}/workflows/w/executions/e")
    assert unavailable.value.dependency == "workflows"
    assert time.monotonic() - started < 5


def test_from_settings_points_at_the_emulator_host(workflows, workflow_id):
    settings = from_environment({"BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://x/y",
                                 "GOOGLE_CLOUD_PROJECT": PROJECT, **workflows.env()})
    adapter = GoogleWorkflowExecutions.from_settings(settings)
    name = adapter.start(workflow_id, {"seconds": 0, "fail": False, "order": "o", "total": 3})
    assert finished(adapter, name).result == {"order": "o", "total": 3}


def test_from_settings_refuses_an_emulator_host_in_production():
    settings = from_environment({"BAZAAR_ENV": "test", "DATABASE_URL": "postgresql://x/y"})
    production = dataclasses.replace(settings, environment="production",
                                     workflows_emulator_host="127.0.0.1:1")
    with pytest.raises(SettingsError):
        GoogleWorkflowExecutions.from_settings(production)
