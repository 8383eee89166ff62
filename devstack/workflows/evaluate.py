"""Evaluate expression nodes against a scope; function calls go back to the caller's context."""

from __future__ import annotations

from typing import Any, Protocol

from .errors import error, key_error, type_error
from .expressions import Node
from .values import arithmetic, compare, contains, equal, negate, truth, type_name


class Context(Protocol):
    """What an expression needs from the step running it."""

    def lookup(self, name: str) -> Any: ...

    def call_function(self, name: str, args: list[Any]) -> Any: ...


def copy_value(value: Any) -> Any:
    """A deep copy of a value: workflow values have value semantics, never shared references."""
    if isinstance(value, list):
        return [copy_value(item) for item in value]
    if isinstance(value, dict):
        return {key: copy_value(item) for key, item in value.items()}
    return value


def evaluate(node: Node, ctx: Context) -> Any:
    """The value of a node; errors are WorkflowErrors with the service's tags."""
    kind = node[0]
    if kind == "const":
        return copy_value(node[1])
    if kind == "var":
        return ctx.lookup(node[1])
    if kind == "attr":
        return field(evaluate(node[1], ctx), node[2])
    if kind == "index":
        return item(evaluate(node[1], ctx), evaluate(node[2], ctx))
    if kind == "op":
        return _binary(node[1], evaluate(node[2], ctx), evaluate(node[3], ctx))
    if kind == "and":
        return truth(evaluate(node[1], ctx), "and") and truth(evaluate(node[2], ctx), "and")
    if kind == "or":
        return truth(evaluate(node[1], ctx), "or") or truth(evaluate(node[2], ctx), "or")
    if kind == "not":
        return not truth(evaluate(node[1], ctx), "not")
    if kind == "neg":
        return negate(evaluate(node[1], ctx))
    if kind == "list":
        return [evaluate(part, ctx) for part in node[1]]
    if kind == "map":
        return {key: evaluate(part, ctx) for key, part in node[1]}
    if kind == "call":
        return _call(node[1], node[2], ctx)
    raise AssertionError(f"unknown node {kind}")


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op == "in":
        return contains(left, right)
    if op in ("<", "<=", ">", ">="):
        return compare(op, left, right)
    return arithmetic(op, left, right)


def _call(name: str, arg_nodes: list[Node], ctx: Context) -> Any:
    if name == "if":  # lazy, so that `if(x != null, x.a, 0)` never reads x.a on null
        condition = truth(evaluate(arg_nodes[0], ctx), "if")
        return evaluate(arg_nodes[1] if condition else arg_nodes[2], ctx)
    return ctx.call_function(name, [evaluate(arg, ctx) for arg in arg_nodes])


def field(container: Any, name: str) -> Any:
    """`a.b`: a key of a map; KeyError when missing, TypeError on anything but a map."""
    if not isinstance(container, dict):
        raise type_error(f"cannot read field '{name}' of a {type_name(container)}")
    if name not in container:
        raise key_error(name)
    return container[name]


def item(container: Any, index: Any) -> Any:
    """`a[i]`: a list element by integer index or a map value by string key."""
    if isinstance(container, dict):
        if not isinstance(index, str):
            raise type_error(f"map keys are strings, not {type_name(index)}")
        return field(container, index)
    if isinstance(container, list):
        if not isinstance(index, int) or isinstance(index, bool):
            raise type_error(f"list indexes are integers, not {type_name(index)}")
        if not 0 <= index < len(container):
            raise error("IndexError", f"IndexError: list index {index} out of range")
        return container[index]
    raise type_error(f"cannot index a {type_name(container)}")
