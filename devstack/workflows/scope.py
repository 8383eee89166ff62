"""Variables: a subworkflow's scope, the child scopes of loops, and parallel branches.

Variables created in a `for` body do not exist after the loop; a parallel branch reads the
enclosing variables but writes only those listed in `shared` (its other writes stay in the
branch), as cloud.google.com/workflows/docs/reference/syntax/parallel-steps describes.
"""

from __future__ import annotations

import threading
from typing import Any

from .errors import WorkflowError, key_error
from .evaluate import copy_value


class Scope:
    def __init__(self, parent: Scope | None = None, shared: tuple[str, ...] | None = None,
                 lock: threading.RLock | None = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.shared = shared  # set on a parallel branch's root scope
        self.lock = lock

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        raise key_error(name)

    def owner(self, name: str) -> Scope | None:
        """The scope a write to `name` lands in, or None when it is a new variable."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope
            if scope.shared is not None and name not in scope.shared:
                return self._branch_copy(scope, name)
            scope = scope.parent
        return None

    def _branch_copy(self, branch_root: Scope, name: str) -> Scope | None:
        """An unshared outer variable written in a branch: the branch gets its own copy."""
        try:
            outer = branch_root.parent.lookup(name) if branch_root.parent else None
        except WorkflowError:  # not defined outside: a new branch variable
            return None
        branch_root.vars[name] = copy_value(outer)
        return branch_root

    def write_lock(self, name: str) -> threading.RLock | None:
        """The parallel step's lock when `name` is a shared variable of an enclosing branch."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars and scope.shared is None:
                return None
            if scope.shared is not None:
                return scope.lock if name in scope.shared else None
            scope = scope.parent
        return None

    def assign(self, name: str, value: Any) -> None:
        (self.owner(name) or self).vars[name] = value
