"""Reads functions/manifest.yaml and terraform/events.yaml: the deployment declarations
that Terraform, the build step and the local stack all share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from common.api.routes import route_pattern

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_MANIFEST = ROOT / "functions" / "manifest.yaml"
EVENTS_MANIFEST = ROOT / "terraform" / "events.yaml"
TRIGGERS = ("http", "internal", "pubsub")
USES = ("database", "auth", "pubsub", "mail", "storage", "docs", "imaging", "vision")


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return route_pattern(self.path)


@dataclass(frozen=True)
class Function:
    name: str
    trigger: str
    routes: tuple[Route, ...]
    uses: tuple[str, ...]
    schedule: str | None

    @property
    def source(self) -> Path:
        return ROOT / "functions" / self.name / "main.py"

    @property
    def signature_type(self) -> str:
        return "cloudevent" if self.trigger == "pubsub" else "http"


def _route(text: str) -> Route:
    method, path = text.split(" ", 1)
    return Route(method, path)


@lru_cache(maxsize=1)
def functions() -> dict[str, Function]:
    raw = yaml.safe_load(FUNCTIONS_MANIFEST.read_text())
    result = {}
    for name, spec in raw.items():
        if spec["trigger"] not in TRIGGERS:
            raise ValueError(f"{name}: unknown trigger {spec['trigger']!r}")
        unknown = set(spec.get("uses", [])) - set(USES)
        if unknown:
            raise ValueError(f"{name}: unknown uses {sorted(unknown)}")
        result[name] = Function(name, spec["trigger"],
                                tuple(_route(r) for r in spec.get("routes", [])),
                                tuple(spec.get("uses", [])), spec.get("schedule"))
    return result


@lru_cache(maxsize=1)
def events() -> dict:
    return yaml.safe_load(EVENTS_MANIFEST.read_text())
