"""The registry of standard-library functions: each one's documented name, parameters and kind.

A function is *pure* (usable in expressions and call steps), or *blocking* (HTTP, sleep, log,
callbacks, connectors: call steps only, as the docs require). Functions that read the
execution (sys.get_env) or wait on it receive the Runtime as their first argument.
Anything not registered here is refused at deploy time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import DeployError

REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    params: tuple[tuple[str, Any], ...]  # (name, default or REQUIRED)
    blocking: bool
    needs_runtime: bool

    def bind(self, named: dict[str, Any]) -> list[Any]:
        """Positional arguments from a call step's `args`, defaults filled in."""
        return [named[name] if name in named else default for name, default in self.params]

    def check_named(self, names: set[str], where: str) -> None:
        """Deploy-time check of a call step's argument names."""
        known = {name for name, _ in self.params}
        unknown = sorted(names - known)
        if unknown:
            raise DeployError(f"{where}: {self.name} has no argument {', '.join(unknown)}")
        missing = [n for n, d in self.params if d is REQUIRED and n not in names]
        if missing:
            raise DeployError(f"{where}: {self.name} needs argument {', '.join(missing)}")

    def check_count(self, count: int, where: str) -> None:
        """Deploy-time check of an expression call's number of arguments."""
        required = sum(1 for _, default in self.params if default is REQUIRED)
        if not required <= count <= len(self.params):
            raise DeployError(
                f"{where}: {self.name} takes {required}..{len(self.params)} arguments, got {count}")


FUNCTIONS: dict[str, Function] = {}


def register(name: str, *, blocking: bool = False, needs_runtime: bool = False):
    """Decorator: publish `impl` under its documented name; its signature gives the params."""
    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(impl).parameters.values())
        if needs_runtime:
            params = params[1:]
        FUNCTIONS[name] = Function(name, impl, tuple((p.name, p.default) for p in params),
                                   blocking, needs_runtime)
        return impl
    return decorate


def lookup(name: str, where: str) -> Function:
    """The registered function, or a DeployError naming what is not supported."""
    if name not in FUNCTIONS:
        raise DeployError(f"{where}: unsupported function {name}")
    return FUNCTIONS[name]


# The modules below register their functions on import.
from . import effects, http_calls, stdlib, stdlib_text  # noqa: E402,F401
