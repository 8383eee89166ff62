"""Compile a workflow's source into a Program, refusing at deploy time whatever is unsupported.

Reference: cloud.google.com/workflows/docs/reference/syntax (steps, subworkflows, jumps).
The compiled tree is plain dataclasses; steps.py runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import DeployError, Position
from .expressions import Node, calls, compile_value, expression_text, parse
from .library import lookup
from .source import load, position_of

MAX_ASSIGNMENTS_PER_STEP = 50
_KINDS = ("call", "assign", "switch", "for", "parallel", "try", "steps", "return", "raise")
_EXTRA = {"call": {"args", "result", "next"}, "assign": {"next"}, "switch": {"next"},
          "for": {"next"}, "parallel": {"next"}, "try": {"retry", "except", "next"},
          "steps": {"next"}, "return": set(), "raise": set(), "next": set()}
SPECIAL_TARGETS = {"end", "break", "continue"}


@dataclass
class Step:
    name: str
    kind: str
    spec: Any
    next: str | None
    position: Position


@dataclass
class Block:
    steps: list[Step]
    index: dict[str, int] = field(default_factory=dict)


@dataclass
class Routine:
    name: str
    params: list[tuple[str, Node | None]]  # (name, default node; None when required)
    block: Block


@dataclass
class Program:
    name: str
    routines: dict[str, Routine]

    @property
    def main(self) -> Routine:
        return self.routines["main"]


@dataclass
class Checks:
    """Where the compiler is: the step names a `next` may reach, and the enclosing loops."""

    routines: dict[str, list[tuple[str, Node | None]]]
    routine: str = "main"
    visible: list[set[str]] = field(default_factory=list)
    in_for: bool = False
    in_parallel_for: bool = False
    in_branch: bool = False
    names: set[str] = field(default_factory=set)

    def where(self, step: str) -> str:
        return f"{self.routine}.{step}"

    def inner(self, **changes: Any) -> Checks:
        copy = Checks(self.routines, self.routine, list(self.visible), self.in_for,
                      self.in_parallel_for, self.in_branch, self.names)
        for key, value in changes.items():
            setattr(copy, key, value)
        return copy


def deploy(source: str, name: str = "workflow") -> Program:
    """Parse and check a whole workflow; DeployError names the first problem and its place."""
    raw = load(source)
    if isinstance(raw, list):
        raw = {"main": {"steps": raw}}
    if not isinstance(raw, dict) or "main" not in raw:
        raise DeployError("a workflow is a list of steps or a map with a `main` subworkflow")
    declared = {str(key): _params(key, body) for key, body in raw.items()}
    routines = {}
    for key, body in raw.items():
        checks = Checks(declared, str(key))
        routines[str(key)] = Routine(str(key), declared[str(key)],
                                     compile_block(body["steps"], checks))
    return Program(name, routines)


def _params(name: Any, body: Any) -> list[tuple[str, Node | None]]:
    if not isinstance(body, dict) or not isinstance(body.get("steps"), list):
        raise DeployError(f"subworkflow {name}: needs a `steps` list")
    unknown = set(body) - {"params", "steps"}
    if unknown:
        raise DeployError(f"subworkflow {name}: unsupported field(s) {', '.join(sorted(unknown))}")
    params: list[tuple[str, Node | None]] = []
    for param in body.get("params") or []:
        if isinstance(param, str):
            params.append((param, None))
        elif isinstance(param, dict) and len(param) == 1:
            (key, default), = param.items()
            params.append((str(key), compile_value(default)))
        else:
            raise DeployError(f"subworkflow {name}: invalid parameter {param!r}")
    return params


def compile_block(raw: Any, checks: Checks) -> Block:
    """A list of single-key step maps; names must be unique within the subworkflow."""
    if not isinstance(raw, list) or not raw:
        raise DeployError(f"{checks.routine}: `steps` must be a non-empty list")
    named = []
    for entry in raw:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise DeployError(f"{checks.routine} line {position_of(entry)['line']}: "
                              "a step is a map with exactly one key, its name")
        (step_name, body), = entry.items()
        if str(step_name) in checks.names:
            raise DeployError(f"{checks.where(step_name)}: duplicate step name")
        checks.names.add(str(step_name))
        named.append((str(step_name), body, position_of(entry)))
    inner = checks.inner(visible=[*checks.visible, {n for n, _, _ in named}])
    steps = [compile_step(n, body, pos, inner) for n, body, pos in named]
    return Block(steps, {step.name: i for i, step in enumerate(steps)})


def compile_step(name: str, body: Any, position: Position, checks: Checks,
                 allowed: set[str] | None = None) -> Step:
    """One step: its kind, its compiled spec and where `next` goes."""
    if not isinstance(body, dict):
        raise DeployError(f"{checks.where(name)}: a step's body must be a map")
    kinds = [key for key in _KINDS if key in body]
    kind = kinds[0] if len(kinds) == 1 else "next" if not kinds and "next" in body else None
    if kind is None or (allowed is not None and kind not in allowed):
        raise DeployError(f"{checks.where(name)}: unsupported step kind "
                          f"({', '.join(sorted(map(str, body))) or 'empty'})")
    unknown = set(body) - {kind} - _EXTRA[kind]
    if unknown:
        raise DeployError(f"{checks.where(name)}: unsupported field(s) "
                          f"{', '.join(sorted(map(str, unknown)))} in a {kind} step")
    target = _next(body.get("next"), name, checks)
    spec = COMPILERS[kind](name, body, checks)
    return Step(name, kind, spec, target, position)


def _next(target: Any, name: str, checks: Checks) -> str | None:
    if target is None:
        return None
    if not isinstance(target, str):
        raise DeployError(f"{checks.where(name)}: next must be a step name")
    if target in ("break", "continue") and not checks.in_for:
        raise DeployError(f"{checks.where(name)}: next: {target} outside a for loop")
    if target == "break" and checks.in_parallel_for:
        raise DeployError(f"{checks.where(name)}: next: break is not supported in a parallel for")
    if target == "end" and checks.in_branch:
        raise DeployError(f"{checks.where(name)}: next: end cannot leave a parallel branch")
    if target not in SPECIAL_TARGETS and not any(target in names for names in checks.visible):
        raise DeployError(f"{checks.where(name)}: next: {target} names no reachable step")
    return target


def value(raw: Any, where: str, checks: Checks) -> Node:
    """A value with expressions in it, its function calls checked against what exists."""
    try:
        node = compile_value(raw)
    except DeployError as problem:
        raise DeployError(f"{where}: {problem}") from None
    for function, count in calls(node):
        check_call(function, count, where, checks)
    return node


def check_call(function: str, count: int, where: str, checks: Checks) -> None:
    if function in checks.routines:
        params = checks.routines[function]
        required = sum(1 for _, default in params if default is None)
        if not required <= count <= len(params):
            raise DeployError(f"{where}: {function} takes {required}..{len(params)} arguments")
        return
    found = lookup(function, where)
    if found.blocking:
        raise DeployError(f"{where}: {function} is a blocking call and cannot be used in an "
                          "expression; use a call step")
    found.check_count(count, where)


def reference(raw: Any, where: str) -> str:
    """A `${name}` that refers to a function or subworkflow without calling it."""
    text = expression_text(raw)
    node = parse(text) if text is not None else None
    path: list[str] = []
    while node is not None and node[0] == "attr":
        path.insert(0, node[2])
        node = node[1]
    if node is None or node[0] != "var":
        raise DeployError(f"{where}: expected a ${{name}} reference, got {raw!r}")
    return ".".join([node[1], *path])


# Each step kind compiles in program_steps, which fills COMPILERS on import.
COMPILERS: dict[str, Callable[[str, dict[str, Any], Checks], Any]] = {}
from . import program_steps  # noqa: E402,F401
