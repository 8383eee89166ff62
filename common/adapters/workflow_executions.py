"""GoogleWorkflowExecutions: the WorkflowExecutions port over google-cloud-workflows'
ExecutionsClient (gRPC: the library has no REST transport).

With an emulator host (local and tests: the Workflows stand-in, devstack/workflows) it speaks
plaintext gRPC to it without credentials; ExecutionsClient's own api_endpoint option would open
a TLS channel, which a plaintext stand-in cannot answer. Production refuses an emulator host and
uses the default credentials. google-cloud-workflows is imported when the adapter is built, and
no Google type leaves this module.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from common.domain.errors import ServiceUnavailable
from common.ports.workflow_executions import (
    ArgumentRejected,
    ExecutionFinished,
    ExecutionNotFound,
    ExecutionState,
    ExecutionStatus,
)
from common.settings import Settings, SettingsError

TIMEOUT_S = 30.0
# QUEUED (in the backlog, not yet running) is not finished either.
_STATES = {"ACTIVE": ExecutionStatus.ACTIVE, "QUEUED": ExecutionStatus.ACTIVE,
           "SUCCEEDED": ExecutionStatus.SUCCEEDED, "FAILED": ExecutionStatus.FAILED,
           "CANCELLED": ExecutionStatus.CANCELLED}


class GoogleWorkflowExecutions:
    """Executions of one project's workflows in one location."""

    def __init__(self, project_id: str, location: str, *, emulator_host: str | None = None,
                 timeout_s: float = TIMEOUT_S) -> None:
        from google.cloud.workflows import executions_v1

        self._types = executions_v1
        self._client = _client(executions_v1, emulator_host)
        self._project_id = project_id
        self._location = location
        self._timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> GoogleWorkflowExecutions:
        """Built from settings; production never talks to an emulator host."""
        if settings.is_production and settings.workflows_emulator_host:
            raise SettingsError("production refuses WORKFLOWS_EMULATOR_HOST")
        return cls(settings.project_id, settings.workflows_location,
                   emulator_host=settings.workflows_emulator_host)

    def start(self, workflow_id: str, argument: Mapping[str, Any]) -> str:
        """Start an execution; its name. One attempt only (no client retry)."""
        parent = self._client.workflow_path(self._project_id, self._location, workflow_id)
        execution = self._types.Execution(
            argument=json.dumps(dict(argument), separators=(",", ":"), ensure_ascii=False))
        with _translated():
            created = self._client.create_execution(
                parent=parent, execution=execution, timeout=self._timeout_s)
        return str(created.name)

    def get(self, name: str) -> ExecutionState:
        """The execution's state, result and error, decoded from their JSON strings."""
        with _translated():
            execution = self._client.get_execution(name=name, timeout=self._timeout_s)
        state = _STATES.get(execution.state.name)
        if state is None:  # UNAVAILABLE: the service cannot read the execution's data now
            raise ServiceUnavailable("workflows")
        result = json.loads(execution.result) if execution.result else None
        payload = execution.error.payload if state is ExecutionStatus.FAILED else ""
        return ExecutionState(str(execution.name), state, result,
                              json.loads(payload) if payload else None)

    def cancel(self, name: str) -> None:
        """Cancel an active execution."""
        with _translated():
            self._client.cancel_execution(name=name, timeout=self._timeout_s)


def _client(executions_v1: Any, emulator_host: str | None) -> Any:
    """ExecutionsClient: default credentials to Google, or plaintext to the emulator host."""
    if emulator_host is None:
        return executions_v1.ExecutionsClient()
    import grpc  # type: ignore[import-untyped]  # no stubs installed
    from google.cloud.workflows.executions_v1.services.executions.transports import (
        ExecutionsGrpcTransport,
    )

    channel = grpc.insecure_channel(emulator_host)
    return executions_v1.ExecutionsClient(transport=ExecutionsGrpcTransport(channel=channel))


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Google's errors as the port's: not found, finished, rejected, or unavailable."""
    from google.api_core import exceptions

    try:
        yield
    except exceptions.NotFound as error:
        raise ExecutionNotFound(error.message) from error
    except exceptions.FailedPrecondition as error:
        raise ExecutionFinished(error.message) from error
    except exceptions.InvalidArgument as error:
        raise ArgumentRejected(error.message) from error
    except (exceptions.ServiceUnavailable, exceptions.DeadlineExceeded,
            exceptions.TooManyRequests, exceptions.InternalServerError) as error:
        raise ServiceUnavailable("workflows", error) from error
