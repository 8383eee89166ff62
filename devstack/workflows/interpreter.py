"""The Cloud Workflows language, interpreted: deploy a source, run it against a Runtime.

The service around it (devstack/workflows/service.py) supplies the Runtime; what is supported
and what is refused at deploy time is listed in docs/decisions/0011-local-workflows-stand-in.md.
Needs only the standard library and pyyaml.
"""

from __future__ import annotations

from typing import Any

from .errors import DeployError, WorkflowError, WorkflowFailed
from .program import Program
from .program import deploy as _compile
from .runtime import Runtime
from .steps import Execution, call_routine
from .values import to_json_value

__all__ = ["DeployError", "Program", "WorkflowFailed", "deploy", "run"]


def deploy(source: str, name: str = "workflow") -> Program:
    """Parse and check a workflow's YAML (or JSON) source; DeployError for a syntax error or any
    unsupported feature or unknown function/step kind — loudly at deploy time."""
    return _compile(source, name)


def run(program: Program, argument: Any, runtime: Runtime) -> Any:
    """Run main with the argument (main's params[0] receives it) and return its JSON result.

    Raises WorkflowFailed(error, stack) for an uncaught error and lets runtime's Cancelled
    through."""
    main = program.main
    args = {main.params[0][0]: argument} if main.params and argument is not None else {}
    execution = Execution(program, runtime)
    try:
        return to_json_value(call_routine(execution, main, args))
    except WorkflowError as failed:
        raise WorkflowFailed(failed.value, failed.stack) from None
