"""Run a compiled Program: steps in order, jumps, subworkflow calls, and the simple step kinds.

try/retry/except, for and parallel live in control.py. All waiting goes through the Runtime;
`runtime.check_cancelled()` runs before every step, so a cancelled execution unwinds at once.
"""

from __future__ import annotations

import threading
from typing import Any

from .errors import (
    Jump,
    LoopBreak,
    LoopContinue,
    Return,
    WorkflowError,
    error,
    key_error,
    type_error,
)
from .evaluate import copy_value, evaluate, field, item
from .expressions import Node
from .library import FUNCTIONS
from .program import Block, Program, Routine, Step
from .runtime import Runtime
from .scope import Scope
from .values import truth, type_name

MAX_CALL_DEPTH = 20  # "maximum call stack depth" in the Workflows quotas
MAX_STEPS = 100_000  # "maximum number of steps executed in a single execution"


class Execution:
    """What every frame of one run shares: the program, the runtime, counters, a lock."""

    def __init__(self, program: Program, runtime: Runtime) -> None:
        self.program = program
        self.runtime = runtime
        self.lock = threading.Lock()
        self.steps = 0

    def count_step(self) -> None:
        with self.lock:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise error("ResourceLimitError", f"more than {MAX_STEPS} steps executed")


class Frame:
    """One running subworkflow (or parallel branch): its scope and how deep it is."""

    def __init__(self, execution: Execution, routine: str, scope: Scope, depth: int,
                 parallel_depth: int = 0, key: int | None = None) -> None:
        self.execution, self.routine, self.scope = execution, routine, scope
        self.depth, self.parallel_depth = depth, parallel_depth
        self.key = id(self) if key is None else key  # one stack entry per subworkflow call

    def inner(self, scope: Scope, parallel: bool = False) -> Frame:
        """The same subworkflow call with a child scope (a loop body or a parallel branch)."""
        return Frame(self.execution, self.routine, scope, self.depth,
                     self.parallel_depth + (1 if parallel else 0), self.key)

    def lookup(self, name: str) -> Any:
        return self.scope.lookup(name)

    def call_function(self, name: str, args: list[Any]) -> Any:
        """A call inside an expression: a subworkflow (by position) or a pure function."""
        routine = self.execution.program.routines.get(name)
        if routine is not None:
            names = [param for param, _ in routine.params][:len(args)]
            return call_routine(self, routine, dict(zip(names, args, strict=True)))
        function = FUNCTIONS[name]
        if function.needs_runtime:
            return function.impl(self.execution.runtime, *args)
        return function.impl(*args)


def call_routine(caller: Frame | Execution, routine: Routine, args: dict[str, Any]) -> Any:
    """Run a subworkflow with named arguments (defaults filled in); its return value."""
    execution = caller if isinstance(caller, Execution) else caller.execution
    depth = 1 if isinstance(caller, Execution) else caller.depth + 1
    if depth > MAX_CALL_DEPTH:
        raise error("RecursionError", f"maximum call stack depth {MAX_CALL_DEPTH} exceeded")
    parallel_depth = 0 if isinstance(caller, Execution) else caller.parallel_depth
    frame = Frame(execution, routine.name, Scope(), depth, parallel_depth)
    for name, default in routine.params:
        if name in args:
            frame.scope.vars[name] = copy_value(args[name])
        elif default is not None:
            frame.scope.vars[name] = evaluate(default, frame)
        else:
            frame.scope.vars[name] = None
    try:
        run_block(routine.block, frame)
    except Return as returned:
        return returned.value
    return None


def run_block(block: Block, frame: Frame) -> None:
    """Run steps in order, following `next` within this block or handing it outward."""
    position = 0
    while position < len(block.steps):
        step = block.steps[position]
        try:
            target = run_step(step, frame)
        except Jump as jump:
            if jump.target not in block.index:
                raise
            target = jump.target
        if target is None:
            position += 1
        elif target in block.index:
            position = block.index[target]
        else:
            raise Jump(target)


def run_step(step: Step, frame: Frame) -> str | None:
    """One step; returns where `next` goes, recording the step on an error passing through."""
    frame.execution.runtime.check_cancelled()
    frame.execution.count_step()
    try:
        target = RUNNERS[step.kind](step, frame)
    except WorkflowError as failed:
        failed.add_frame(frame.key, step.name, frame.routine, step.position)
        raise
    target = step.next if target is None else target
    if target == "end":
        raise Return(None)
    if target == "break":
        raise LoopBreak()
    if target == "continue":
        raise LoopContinue()
    return target


def _assign(step: Step, frame: Frame) -> None:
    for (name, path), node in step.spec:
        lock = frame.scope.write_lock(name)
        if lock is None:
            assign_to(frame, name, path, copy_value(evaluate(node, frame)))
            continue
        with lock:
            assign_to(frame, name, path, copy_value(evaluate(node, frame)))


def assign_to(frame: Frame, name: str, path: tuple[Node, ...], value: Any) -> None:
    """Write a value to a variable or into it (`a.b`, `a["k"]`, `a[0]`); maps grow on write."""
    if not path:
        frame.scope.assign(name, value)
        return
    owner = frame.scope.owner(name)
    if owner is None:
        raise key_error(name)
    container = owner.vars[name]
    keys = [part[1] if part[0] == "attr" else evaluate(part[1], frame) for part in path]
    for key in keys[:-1]:
        if isinstance(container, dict) and isinstance(key, str) and key not in container:
            container[key] = {}
        container = field(container, key) if isinstance(container, dict) else \
            item(container, key)
    _store(container, keys[-1], value)


def _store(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, dict):
        if not isinstance(key, str):
            raise type_error(f"map keys are strings, not {type_name(key)}")
        container[key] = value
    elif isinstance(container, list):
        item(container, key)  # IndexError/TypeError as for a read
        container[key] = value
    else:
        raise type_error(f"cannot assign into a {type_name(container)}")


def _call(step: Step, frame: Frame) -> None:
    spec = step.spec
    args = {name: evaluate(node, frame) for name, node in spec.args.items()}
    if spec.subworkflow:
        result = call_routine(frame, frame.execution.program.routines[spec.function], args)
    else:
        function = FUNCTIONS[spec.function]
        bound = function.bind(args)
        runtime = frame.execution.runtime
        result = function.impl(runtime, *bound) if function.needs_runtime else \
            function.impl(*bound)
    if spec.result:
        frame.scope.assign(spec.result, result)


def _switch(step: Step, frame: Frame) -> str | None:
    for condition, action in step.spec:
        if truth(evaluate(condition, frame), "switch condition"):
            return run_step(action, frame) or step.next
    return None


def _raise(step: Step, frame: Frame) -> None:
    raise WorkflowError(evaluate(step.spec, frame))


def _return(step: Step, frame: Frame) -> None:
    raise Return(evaluate(step.spec, frame))


def _steps(step: Step, frame: Frame) -> None:
    run_block(step.spec, frame)


RUNNERS: dict[str, Any] = {"assign": _assign, "call": _call, "switch": _switch,
                           "raise": _raise, "return": _return, "steps": _steps,
                           "next": lambda step, frame: None}
from . import control  # noqa: E402,F401 - registers for, parallel and try in RUNNERS
