"""The errors of the workflow language, and the signals that carry control flow between steps.

A built-in error is a map `{"message": …, "tags": [...], …}` as the service raises it; a
`raise` step may raise any value. Python exceptions carry them: `WorkflowError` is what
`try/except` catches, the signals below are not errors and `except` never sees them.
"""

from __future__ import annotations

from typing import Any

# The position of a step in its source, for stack traces: {"line": n, "column": n}.
Position = dict[str, int]


class DeployError(Exception):
    """The source cannot be deployed: a syntax error or an unsupported feature, with its place."""


class WorkflowError(Exception):
    """An error raised in a workflow; `value` is what `except: as: e` receives."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value
        self.stack: list[dict[str, Any]] = []
        self._frames: set[int] = set()

    def add_frame(self, frame_id: int, step: str, routine: str, position: Position) -> None:
        """Record the step of each running subworkflow the error leaves (innermost last)."""
        if frame_id not in self._frames:
            self._frames.add(frame_id)
            self.stack.insert(0, {"step": step, "routine": routine, "position": position})


class WorkflowFailed(Exception):
    """An execution ended with an uncaught error: the error value and its stack, innermost last."""

    def __init__(self, error: Any, stack: list[dict[str, Any]]) -> None:
        super().__init__(error)
        self.error = error
        self.stack = stack


def error(tag: str, message: str, **extra: Any) -> WorkflowError:
    """A built-in error as the service shapes it: message, tags, then any extra fields."""
    return WorkflowError({"message": message, "tags": [tag], **extra})


def type_error(message: str) -> WorkflowError:
    return error("TypeError", message)


def value_error(message: str) -> WorkflowError:
    return error("ValueError", message)


def key_error(key: Any) -> WorkflowError:
    return error("KeyError", f"KeyError: key not found: {key}")


class Signal(Exception):  # noqa: N818 - not an error: control flow between steps
    """Control flow that unwinds steps without being an error."""


class Jump(Signal):
    """`next: <step>`: continue at the named step of this or an enclosing step list."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class Return(Signal):
    """`return` or `next: end`: leave the current subworkflow with a value."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


class LoopBreak(Signal):
    """`next: break` inside a `for`."""


class LoopContinue(Signal):
    """`next: continue` inside a `for`."""
