"""google.cloud.workflows.executions.v1.Executions over gRPC (what ExecutionsClient talks to).

Served with proto-plus (de)serialisation from google-cloud-workflows' own types, like the
Pub/Sub stand-in's Publisher service.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, NoReturn

import grpc
from google.cloud.workflows.executions_v1 import types

from devstack.workflows.executions import (
    Execution,
    Executions,
    InvalidArgument,
    NotActive,
    NotFound,
)

SERVICE = "google.cloud.workflows.executions.v1.Executions"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = {types.ExecutionView.FULL: 100}  # BASIC (the default): 1000
_STATE_FILTER = re.compile(r'^\s*state\s*=\s*"?([A-Z]+)"?\s*$')
_ORDER_BY = ("", "startTime desc")


def to_message(record: Execution, view: int) -> types.Execution:
    """The Execution resource; BASIC holds name, times, duration, state and revision only."""
    message = types.Execution(
        name=record.name, start_time=record.start_time,
        state=getattr(types.Execution.State, record.state), workflow_revision_id=record.revision_id)
    if record.end_time is not None:
        message.end_time = record.end_time
        message.duration = record.end_time - record.start_time
    if view == types.ExecutionView.BASIC:
        return message
    message.argument = record.argument
    message.result = record.result
    message.call_log_level = types.Execution.CallLogLevel(record.call_log_level)
    message.labels = record.labels
    if record.current_step:
        routine, step = record.current_step
        message.status = types.Execution.Status(
            current_steps=[types.Execution.Status.Step(routine=routine, step=step)])
    if record.error is not None:
        message.error = types.Execution.Error(
            payload=record.error.payload, context=record.error.context,
            stack_trace=types.Execution.StackTrace(elements=[
                types.Execution.StackTraceElement(
                    step=str(frame.get("step", "")), routine=str(frame.get("routine", "")),
                    position=types.Execution.StackTraceElement.Position(
                        line=int((frame.get("position") or {}).get("line", 0)),
                        column=int((frame.get("position") or {}).get("column", 0))))
                for frame in record.error.stack]))
    return message


def _abort(context: grpc.ServicerContext, error: Exception) -> NoReturn:
    """Abort the call with the status the service gives this error."""
    code = {NotFound: grpc.StatusCode.NOT_FOUND, InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
            NotActive: grpc.StatusCode.FAILED_PRECONDITION}[type(error)]
    context.abort(code, str(error))
    raise AssertionError("abort returns only by raising")


def _page_token(sequence: int) -> str:
    """An opaque token: the sequence number of the last execution of the page."""
    return base64.urlsafe_b64encode(f"after:{sequence}".encode()).decode()


def _after(token: str) -> int | None:
    """The sequence a page token continues after; InvalidArgument for a foreign token."""
    if not token:
        return None
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "after":
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidArgument("invalid page_token")


def _matches(request: types.ListExecutionsRequest) -> Callable[[Execution], bool]:
    """The filter (only `state="…"` locally) and order (start time, newest first) checked."""
    if request.order_by.strip() not in _ORDER_BY:
        raise InvalidArgument(f"order_by not supported by the local stand-in: {request.order_by}")
    if not request.filter.strip():
        return lambda record: True
    found = _STATE_FILTER.match(request.filter)
    if not found or found.group(1) not in types.Execution.State.__members__:
        raise InvalidArgument(f"filter not supported by the local stand-in: {request.filter}")
    return lambda record: record.state == found.group(1)


class ExecutionsService:
    """CreateExecution, GetExecution, ListExecutions, CancelExecution over Executions."""

    def __init__(self, executions: Executions) -> None:
        self.executions = executions

    def create_execution(self, request: types.CreateExecutionRequest,
                         context: grpc.ServicerContext) -> types.Execution:
        """Start an execution; it runs asynchronously and is ACTIVE in the reply."""
        execution = request.execution
        try:
            record = self.executions.start(request.parent, execution.argument,
                                           int(execution.call_log_level), dict(execution.labels))
        except (NotFound, InvalidArgument) as error:
            _abort(context, error)
        return to_message(record, types.ExecutionView.FULL)

    def get_execution(self, request: types.GetExecutionRequest,
                      context: grpc.ServicerContext) -> types.Execution:
        """One execution, FULL view by default."""
        try:
            record = self.executions.get(request.name)
        except NotFound as error:
            _abort(context, error)
        view = request.view or types.ExecutionView.FULL
        return to_message(record, view)

    def list_executions(self, request: types.ListExecutionsRequest,
                        context: grpc.ServicerContext) -> types.ListExecutionsResponse:
        """A workflow's executions, newest first, paged; BASIC view by default."""
        view = request.view or types.ExecutionView.BASIC
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE.get(view, 1000))
        try:
            after, keep = _after(request.page_token), _matches(request)
            records = [r for r in self.executions.list(request.parent)
                       if keep(r) and (after is None or r.sequence < after)]
        except (NotFound, InvalidArgument) as error:
            _abort(context, error)
        page = records[:size]
        token = _page_token(page[-1].sequence) if len(records) > size else ""
        return types.ListExecutionsResponse(
            executions=[to_message(r, view) for r in page], next_page_token=token)

    def cancel_execution(self, request: types.CancelExecutionRequest,
                         context: grpc.ServicerContext) -> types.Execution:
        """Cancel an active execution; FAILED_PRECONDITION for a finished one."""
        try:
            record = self.executions.cancel(request.name)
        except (NotFound, NotActive) as error:
            _abort(context, error)
        return to_message(record, types.ExecutionView.FULL)


def _handler(method: Callable[..., Any], request_type: Any) -> grpc.RpcMethodHandler:
    """A unary-unary handler with proto-plus (de)serialisation; every reply is an Execution
    or a ListExecutionsResponse."""
    def serialize(message: Any) -> bytes:
        return bytes(type(message).serialize(message))

    return grpc.unary_unary_rpc_method_handler(
        method, request_deserializer=request_type.deserialize, response_serializer=serialize)


def generic_handler(executions: Executions) -> grpc.GenericRpcHandler:
    """The Executions service as a generic gRPC handler."""
    service = ExecutionsService(executions)
    return grpc.method_handlers_generic_handler(SERVICE, {
        "CreateExecution": _handler(service.create_execution, types.CreateExecutionRequest),
        "GetExecution": _handler(service.get_execution, types.GetExecutionRequest),
        "ListExecutions": _handler(service.list_executions, types.ListExecutionsRequest),
        "CancelExecution": _handler(service.cancel_execution, types.CancelExecutionRequest),
    })
