"""Starting and following Cloud Workflows executions (the purchase and payment sagas).

Production runs them on Cloud Workflows; locally and in tests on the Workflows stand-in
(devstack/workflows). Both behind the same adapter, common/adapters/workflow_executions.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class ExecutionStatus(StrEnum):
    """Where an execution is. ACTIVE until it ends in one of the other three."""

    ACTIVE = "ACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class ExecutionState:
    """One execution as last read: `result` (SUCCEEDED) and `error` (FAILED) are the workflow's
    own JSON values, decoded; None otherwise."""

    name: str
    state: ExecutionStatus
    result: Any = None
    error: Any = None

    @property
    def finished(self) -> bool:
        return self.state is not ExecutionStatus.ACTIVE


class ExecutionNotFound(LookupError):
    """No such workflow (start) or execution (get, cancel)."""


class ExecutionFinished(RuntimeError):
    """Cancel was asked of an execution that already ended."""


class ArgumentRejected(ValueError):
    """The argument was refused (over 32 KB once encoded as JSON)."""


class WorkflowExecutions(Protocol):
    """Start, read and cancel executions of the deployed workflows. Every method raises
    ServiceUnavailable("workflows") when the service cannot be reached."""

    def start(self, workflow_id: str, argument: Mapping[str, Any]) -> str:
        """Start an execution of the workflow's latest revision; its name. Not retried: a
        retry could start the saga twice. ExecutionNotFound, ArgumentRejected."""
        ...

    def get(self, name: str) -> ExecutionState:
        """The execution's state now. ExecutionNotFound."""
        ...

    def cancel(self, name: str) -> None:
        """Cancel an active execution. ExecutionNotFound, ExecutionFinished."""
        ...
