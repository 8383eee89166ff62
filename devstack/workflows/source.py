"""Read a workflow's YAML (or JSON) source keeping each mapping's line and column."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import DeployError, Position


class Marked(dict):
    """A mapping that remembers where it starts in the source."""

    line = 0
    column = 0

    @property
    def position(self) -> Position:
        return {"line": self.line, "column": self.column}


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Marked:
    loader.flatten_mapping(node)
    marked = Marked()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in marked:
            raise DeployError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        marked[key] = loader.construct_object(value_node, deep=True)
    marked.line, marked.column = node.start_mark.line + 1, node.start_mark.column + 1
    return marked


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(source: str) -> Any:
    """The parsed source; DeployError with the parser's place for a syntax error."""
    try:
        return yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as problem:
        raise DeployError(f"invalid YAML: {problem}") from None


def position_of(value: Any) -> Position:
    return value.position if isinstance(value, Marked) else {"line": 0, "column": 0}
