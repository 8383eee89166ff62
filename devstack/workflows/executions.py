"""Deployed workflows and their executions: each execution runs on its own thread.

ACTIVE → SUCCEEDED | FAILED | CANCELLED, with the service's result and error shapes (result and
error payload as JSON strings). Everything is kept in memory: executions do not survive a
restart of the stand-in (the service's are durable). No gRPC here: devstack/workflows/service.py
maps these records and errors to the Executions API.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from devstack.workflows import interpreter
from devstack.workflows.runtime import Cancelled, Runtime

MAX_ARGUMENT_BYTES = 32 * 1024
LOG = logging.getLogger("devstack.workflows")


class NotFound(LookupError):
    """No such workflow or execution."""


class InvalidArgument(ValueError):
    """The request is malformed (bad name, argument not JSON or over 32 KB)."""


class NotActive(RuntimeError):
    """The execution already finished."""


@dataclass(frozen=True)
class Deployed:
    """One deployed revision of a workflow."""

    workflow_id: str
    revision_id: str
    program: Any


@dataclass(frozen=True)
class ExecutionError:
    """Why an execution failed: the error value as JSON, a readable context, the stack."""

    payload: str
    context: str
    stack: list[dict[str, Any]]


@dataclass
class Execution:
    """An execution's record; the registry hands out copies taken under its lock."""

    name: str
    workflow_id: str
    revision_id: str
    argument: str
    call_log_level: int
    labels: dict[str, str]
    sequence: int
    start_time: datetime
    state: str = "ACTIVE"
    end_time: datetime | None = None
    result: str = ""
    error: ExecutionError | None = None
    current_step: tuple[str, str] | None = None  # (routine, step) of the last step that failed
    cancelled: bool = False
    wake: threading.Condition = field(default_factory=threading.Condition, repr=False)


def revision_id(number: int, source: str) -> str:
    """A revision id in the service's form: six digits, a dash, three hex characters."""
    return f"{number:06d}-{hashlib.sha256(source.encode()).hexdigest()[:3]}"


def parse_argument(argument: str) -> Any:
    """The execution argument's value (None when empty); InvalidArgument past 32 KB or not JSON."""
    if len(argument.encode()) > MAX_ARGUMENT_BYTES:
        raise InvalidArgument(f"argument exceeds {MAX_ARGUMENT_BYTES} bytes")
    if not argument:
        return None
    try:
        return json.loads(argument)
    except ValueError as exc:
        raise InvalidArgument(f"argument is not valid JSON: {exc}") from exc


def failure(error: Any, stack: list[dict[str, Any]]) -> ExecutionError:
    """The service's error shape for a workflow's uncaught error (frames innermost first)."""
    frames = list(reversed(stack))
    tags = error.get("tags") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    head = f"{tags[0]}: {message}" if tags and message else json.dumps(error)
    where = [f'in step "{f.get("step")}", routine "{f.get("routine")}", '
             f'line: {(f.get("position") or {}).get("line")}' for f in frames]
    payload = json.dumps(error, separators=(",", ":"), ensure_ascii=False)
    return ExecutionError(payload, "\n".join([head, *where]), frames)


class Executions:
    """The deployed workflows of one project and location, and every execution started."""

    def __init__(self, project: str, location: str, runtime_for: Callable[[Execution], Runtime],
                 on_finish: Callable[[str], None] = lambda name: None) -> None:
        self.project = project
        self.location = location
        self._runtime_for = runtime_for
        self._on_finish = on_finish
        self._lock = threading.Lock()
        self._workflows: dict[str, Deployed] = {}
        self._revisions: dict[str, int] = {}
        self._executions: dict[str, Execution] = {}
        self._sequence = 0

    def workflow_name(self, workflow_id: str) -> str:
        """projects/{p}/locations/{l}/workflows/{w}."""
        return f"projects/{self.project}/locations/{self.location}/workflows/{workflow_id}"

    def deploy(self, workflow_id: str, source: str) -> Deployed:
        """Deploy (or replace) a workflow from its YAML; raises the interpreter's DeployError."""
        program = interpreter.deploy(source, workflow_id)
        with self._lock:
            number = self._revisions.get(workflow_id, 0) + 1
            self._revisions[workflow_id] = number
            deployed = Deployed(workflow_id, revision_id(number, source), program)
            self._workflows[workflow_id] = deployed
        return deployed

    def workflow_ids(self) -> list[str]:
        """The deployed workflows, sorted."""
        with self._lock:
            return sorted(self._workflows)

    def workflow_of(self, parent: str) -> Deployed:
        """The deployed workflow a parent name names; NotFound otherwise."""
        prefix = self.workflow_name("")
        workflow_id = parent[len(prefix):] if parent.startswith(prefix) else ""
        with self._lock:
            deployed = self._workflows.get(workflow_id) if "/" not in workflow_id else None
        if deployed is None:
            raise NotFound(f"Resource '{parent}' was not found")
        return deployed

    def start(self, parent: str, argument: str, call_log_level: int = 0,
              labels: dict[str, str] | None = None) -> Execution:
        """Start an execution of the latest revision on its own thread; a copy of its record."""
        deployed = self.workflow_of(parent)
        value = parse_argument(argument)
        with self._lock:
            self._sequence += 1
            execution = Execution(
                name=f"{parent}/executions/{uuid.uuid4()}", workflow_id=deployed.workflow_id,
                revision_id=deployed.revision_id, argument=argument,
                call_log_level=call_log_level, labels=dict(labels or {}),
                sequence=self._sequence, start_time=datetime.now(timezone.utc))
            self._executions[execution.name] = execution
            snapshot = dataclasses.replace(execution)
        threading.Thread(target=self._run, args=(execution, deployed, value), daemon=True,
                         name=f"workflow-{deployed.workflow_id}").start()
        return snapshot

    def get(self, name: str) -> Execution:
        """A copy of an execution's record; NotFound otherwise."""
        with self._lock:
            execution = self._executions.get(name)
            if execution is None:
                raise NotFound(f"Resource '{name}' was not found")
            return dataclasses.replace(execution)

    def list(self, parent: str) -> list[Execution]:
        """Copies of a workflow's executions, newest first; NotFound for an unknown workflow."""
        self.workflow_of(parent)
        with self._lock:
            found = [dataclasses.replace(e) for e in self._executions.values()
                     if e.name.startswith(parent + "/executions/")]
        return sorted(found, key=lambda e: e.sequence, reverse=True)

    def cancel(self, name: str) -> Execution:
        """Mark an active execution CANCELLED and wake it so it unwinds; NotActive if finished."""
        with self._lock:
            execution = self._executions.get(name)
            if execution is None:
                raise NotFound(f"Resource '{name}' was not found")
            if execution.state != "ACTIVE":
                raise NotActive(f"Execution '{name}' is not active: it is {execution.state}")
            execution.cancelled = True
            self._finish_locked(execution, "CANCELLED")
            snapshot = dataclasses.replace(execution)
        with execution.wake:
            execution.wake.notify_all()
        return snapshot

    def _run(self, execution: Execution, deployed: Deployed, argument: Any) -> None:
        """The execution's thread: run the program and record how it ended."""
        try:
            value = interpreter.run(deployed.program, argument, self._runtime_for(execution))
            result = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except Cancelled:
            return
        except interpreter.WorkflowFailed as failed:
            self._finish(execution, "FAILED", error=failure(failed.error, failed.stack))
        except Exception as exc:  # a fault of the stand-in itself: fail loudly, keep serving
            LOG.exception("execution %s crashed in the stand-in", execution.name)
            error = {"message": f"the stand-in failed: {exc!r}", "tags": ["InternalError"]}
            self._finish(execution, "FAILED", error=failure(error, []))
        else:
            self._finish(execution, "SUCCEEDED", result=result)

    def _finish(self, execution: Execution, state: str, **outcome: Any) -> None:
        """Record the end of an execution unless a cancel ended it first."""
        with self._lock:
            if execution.state == "ACTIVE":
                self._finish_locked(execution, state, **outcome)

    def _finish_locked(self, execution: Execution, state: str, result: str = "",
                       error: ExecutionError | None = None) -> None:
        """Set the terminal state, result or error, and the end time (lock held)."""
        execution.state, execution.result, execution.error = state, result, error
        execution.end_time = datetime.now(timezone.utc)
        self._on_finish(execution.name)
        if error is not None and error.stack:
            frame = error.stack[0]
            execution.current_step = (str(frame.get("routine")), str(frame.get("step")))
