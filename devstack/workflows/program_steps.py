"""The compiler of each step kind: assign, call, switch, for, parallel, try/retry/except, ….

References: cloud.google.com/workflows/docs/reference/syntax/{variables,calls,conditions,
iteration,parallel-steps,catching-errors,retrying,raising-errors,completing}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import DeployError
from .expressions import Node, calls, parse
from .library import lookup
from .program import (
    COMPILERS,
    MAX_ASSIGNMENTS_PER_STEP,
    Block,
    Checks,
    Step,
    check_call,
    compile_block,
    compile_step,
    reference,
    value,
)
from .source import position_of

Target = tuple[str, tuple[Node, ...]]  # variable, then ("attr", name) / ("index", node) parts
_POLICIES = {  # the documented defaults: http/default_retry*, retry/default_backoff
    "http.default_retry": "http.default_retry_predicate",
    "http.default_retry_non_idempotent": "http.default_retry_predicate_non_idempotent",
}
_PREDICATES = {"http.default_retry_predicate", "http.default_retry_predicate_non_idempotent",
               "retry.always", "retry.never"}
DEFAULT_BACKOFF = {"initial_delay": 1, "max_delay": 60, "multiplier": 1.25}
DEFAULT_MAX_RETRIES = 5
_CONDITION_KINDS = {"next", "steps", "return", "raise", "assign", "call"}


@dataclass
class CallSpec:
    function: str
    args: dict[str, Node]
    result: str | None
    subworkflow: bool


@dataclass
class ForSpec:
    value: str
    index: str | None
    items: Node | None
    bounds: tuple[Node, Node] | None
    block: Block


@dataclass
class ParallelSpec:
    shared: tuple[str, ...]
    concurrency_limit: Node | None
    branches: list[tuple[str, Block]] | None
    loop: ForSpec | None


@dataclass
class RetrySpec:
    predicate: str
    predicate_is_subworkflow: bool
    max_retries: Node
    backoff: dict[str, Node]


@dataclass
class TrySpec:
    body: Block
    retry: RetrySpec | None
    error_as: str | None
    handler: Block | None


def _assign(name: str, body: dict[str, Any], checks: Checks) -> list[tuple[Target, Node]]:
    items = body["assign"]
    if not isinstance(items, list) or not items:
        raise DeployError(f"{checks.where(name)}: assign takes a list of single-key maps")
    if len(items) > MAX_ASSIGNMENTS_PER_STEP:
        raise DeployError(f"{checks.where(name)}: more than {MAX_ASSIGNMENTS_PER_STEP} "
                          "assignments in one step")
    compiled = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise DeployError(f"{checks.where(name)}: each assignment is a single-key map")
        (target, raw), = item.items()
        compiled.append((target_of(str(target), name, checks), value(raw, checks.where(name),
                                                                       checks)))
    return compiled


def target_of(text: str, name: str, checks: Checks) -> Target:
    """`a`, `a.b`, `a["k"]`, `a[i].b`: a variable and the path inside it."""
    try:
        node = parse(text)
    except DeployError as problem:
        raise DeployError(f"{checks.where(name)}: invalid assignment target: {problem}") from None
    parts: list[Node] = []
    while node[0] in ("attr", "index"):
        parts.insert(0, ("attr", node[2]) if node[0] == "attr" else ("index", node[2]))
        for function, count in calls(node[2]) if node[0] == "index" else []:
            check_call(function, count, checks.where(name), checks)
        node = node[1]
    if node[0] != "var":
        raise DeployError(f"{checks.where(name)}: cannot assign to {text!r}")
    return node[1], tuple(parts)


def _call(name: str, body: dict[str, Any], checks: Checks) -> CallSpec:
    function, args = body["call"], body.get("args") or {}
    result = body.get("result")
    where = checks.where(name)
    if not isinstance(function, str):
        raise DeployError(f"{where}: call names a function or subworkflow")
    if not isinstance(args, dict):
        raise DeployError(f"{where}: args must be a map")
    if result is not None and (not isinstance(result, str) or not result.isidentifier()):
        raise DeployError(f"{where}: result must be a variable name")
    compiled = {str(key): value(raw, where, checks) for key, raw in args.items()}
    if function in checks.routines:
        params = checks.routines[function]
        known = {param for param, _ in params}
        missing = [p for p, default in params if default is None and p not in compiled]
        if set(compiled) - known or missing:
            raise DeployError(f"{where}: {function} takes {sorted(known)}, given "
                              f"{sorted(compiled)}")
        return CallSpec(function, compiled, result, subworkflow=True)
    lookup(function, where).check_named(set(compiled), where)
    return CallSpec(function, compiled, result, subworkflow=False)


def _switch(name: str, body: dict[str, Any], checks: Checks) -> list[tuple[Node, Step]]:
    conditions = body["switch"]
    if not isinstance(conditions, list) or not conditions:
        raise DeployError(f"{checks.where(name)}: switch takes a list of conditions")
    compiled = []
    for entry in conditions:
        if not isinstance(entry, dict) or "condition" not in entry:
            raise DeployError(f"{checks.where(name)}: each switch entry needs a condition")
        rest = {key: raw for key, raw in entry.items() if key != "condition"}
        action = compile_step(name, rest, position_of(entry), checks, _CONDITION_KINDS)
        compiled.append((value(entry["condition"], checks.where(name), checks), action))
    return compiled


def _loop(name: str, raw: Any, checks: Checks, parallel: bool) -> ForSpec:
    where = checks.where(name)
    if not isinstance(raw, dict) or "value" not in raw or "steps" not in raw:
        raise DeployError(f"{where}: for needs value and steps")
    unknown = set(raw) - {"value", "index", "in", "range", "steps"}
    if unknown or ("in" in raw) == ("range" in raw):
        raise DeployError(f"{where}: for takes value, index, steps and one of in/range")
    bounds = None
    if "range" in raw:
        span = raw["range"]
        if not isinstance(span, list) or len(span) != 2:
            raise DeployError(f"{where}: range is a list [start, end]")
        bounds = (value(span[0], where, checks), value(span[1], where, checks))
    items = value(raw["in"], where, checks) if "in" in raw else None
    inner = checks.inner(in_for=True, in_parallel_for=parallel)
    return ForSpec(str(raw["value"]), raw.get("index"), items, bounds,
                   compile_block(raw["steps"], inner))


def _for(name: str, body: dict[str, Any], checks: Checks) -> ForSpec:
    return _loop(name, body["for"], checks, parallel=False)


def _parallel(name: str, body: dict[str, Any], checks: Checks) -> ParallelSpec:
    raw, where = body["parallel"], checks.where(name)
    if not isinstance(raw, dict) or ("branches" in raw) == ("for" in raw):
        raise DeployError(f"{where}: parallel takes either branches or for")
    unknown = set(raw) - {"shared", "concurrency_limit", "exception_policy", "branches", "for"}
    if unknown:
        raise DeployError(f"{where}: unsupported parallel field(s) {', '.join(sorted(unknown))}")
    if raw.get("exception_policy", "continueAll") != "continueAll":
        raise DeployError(f"{where}: exception_policy {raw['exception_policy']!r} is not "
                          "supported (continueAll is the only documented policy)")
    shared = raw.get("shared") or []
    if not isinstance(shared, list) or not all(isinstance(v, str) for v in shared):
        raise DeployError(f"{where}: shared is a list of variable names")
    inner = checks.inner(visible=[], in_for=False, in_parallel_for=False, in_branch=True)
    limit = value(raw["concurrency_limit"], where, checks) if "concurrency_limit" in raw else None
    if "for" in raw:
        return ParallelSpec(tuple(shared), limit, None, _loop(name, raw["for"], inner, True))
    return ParallelSpec(tuple(shared), limit, _branches(raw["branches"], where, inner), None)


def _branches(raw: Any, where: str, checks: Checks) -> list[tuple[str, Block]]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise DeployError(f"{where}: branches is a list of at least two named branches")
    branches = []
    for entry in raw:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise DeployError(f"{where}: each branch is a single-key map")
        (branch, body), = entry.items()
        if not isinstance(body, dict) or set(body) != {"steps"}:
            raise DeployError(f"{where}: branch {branch} takes only steps")
        branches.append((str(branch), compile_block(body["steps"], checks)))
    return branches


def _try(name: str, body: dict[str, Any], checks: Checks) -> TrySpec:
    raw, where = body["try"], checks.where(name)
    if isinstance(raw, dict) and set(raw) == {"steps"}:
        block = compile_block(raw["steps"], checks)
    else:
        inner = checks.inner(visible=[*checks.visible, set()])
        block = Block([compile_step(name, raw, position_of(raw), inner)])
    handler, error_as = None, None
    if "except" in body:
        spec = body["except"]
        if not isinstance(spec, dict) or "steps" not in spec or set(spec) - {"as", "steps"}:
            raise DeployError(f"{where}: except takes as and steps")
        error_as, handler = spec.get("as"), compile_block(spec["steps"], checks)
    retry = _retry(body["retry"], where, checks) if "retry" in body else None
    if retry is None and handler is None:
        raise DeployError(f"{where}: try needs retry or except")
    return TrySpec(block, retry, error_as, handler)


def _retry(raw: Any, where: str, checks: Checks) -> RetrySpec:
    if isinstance(raw, str):
        policy = reference(raw, where)
        if policy not in _POLICIES:
            raise DeployError(f"{where}: unsupported retry policy {policy}")
        return RetrySpec(_POLICIES[policy], False, ("const", DEFAULT_MAX_RETRIES),
                         {k: ("const", v) for k, v in DEFAULT_BACKOFF.items()})
    if not isinstance(raw, dict) or "predicate" not in raw or set(raw) - {
            "predicate", "max_retries", "backoff"}:
        raise DeployError(f"{where}: retry takes predicate, max_retries and backoff")
    predicate = reference(raw["predicate"], where)
    if predicate not in _PREDICATES and predicate not in checks.routines:
        raise DeployError(f"{where}: unsupported retry predicate {predicate}")
    if predicate in checks.routines:
        check_call(predicate, 1, where, checks)
    backoff = raw.get("backoff") or {}
    if not isinstance(backoff, dict) or set(backoff) - set(DEFAULT_BACKOFF):
        raise DeployError(f"{where}: backoff takes initial_delay, max_delay, multiplier")
    compiled = {k: value(backoff.get(k, v), where, checks) for k, v in DEFAULT_BACKOFF.items()}
    return RetrySpec(predicate, predicate in checks.routines,
                     value(raw.get("max_retries", DEFAULT_MAX_RETRIES), where, checks), compiled)


def _steps(name: str, body: dict[str, Any], checks: Checks) -> Block:
    return compile_block(body["steps"], checks)


def _return(name: str, body: dict[str, Any], checks: Checks) -> Node:
    if checks.in_branch:
        raise DeployError(f"{checks.where(name)}: return cannot leave a parallel branch")
    return value(body["return"], checks.where(name), checks)


def _raise(name: str, body: dict[str, Any], checks: Checks) -> Node:
    return value(body["raise"], checks.where(name), checks)


COMPILERS.update({"assign": _assign, "call": _call, "switch": _switch, "for": _for,
                  "parallel": _parallel, "try": _try, "steps": _steps, "return": _return,
                  "raise": _raise, "next": lambda name, body, checks: None})
