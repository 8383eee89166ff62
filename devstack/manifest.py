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
# The dependency groups of pyproject.toml a function may use; the header of
# functions/manifest.yaml says what IAM each earns. `workflows` (google-cloud-workflows:
# start, read and cancel saga executions) earns none here: roles/workflows.invoker comes
# from terraform/workflows.yaml (`started_by`, `callbacks_from`).
USES = ("database", "auth", "auth_admin", "auth_client", "pubsub", "mail", "page_tokens",
        "pseudonyms", "zone_pseudonyms", "ranking",
        "storage", "upload_urls", "docs", "imaging", "vision", "payments", "payments_webhook",
        "workflows", "firestore", "federated", "models",
        "model_publisher", "fraud", "analytics_export")


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
    # The PostgreSQL role its database user is granted (None: it uses no database).
    database_role: str | None = None
    # The topics it may publish to (Pub/Sub publisher on each, nothing else).
    publishes: tuple[str, ...] = ()

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
        _check_grants(name, spec)
        result[name] = Function(name, spec["trigger"],
                                tuple(_route(r) for r in spec.get("routes", [])),
                                tuple(spec.get("uses", [])), spec.get("schedule"),
                                spec.get("database_role"), tuple(spec.get("publishes", [])))
    return result


def _check_grants(name: str, spec: dict) -> None:
    """A database role exactly for `database` users, topics exactly for `pubsub` users."""
    uses = spec.get("uses", [])
    role = spec.get("database_role")
    if ("database" in uses) != (role is not None):
        raise ValueError(f"{name}: `database_role` goes with `uses: [database]`, and only there")
    if role is not None and not re.fullmatch(r"bazaar_[a-z_]+", role):
        raise ValueError(f"{name}: database_role {role!r} must read bazaar_<what it does>")
    if ("pubsub" in uses) != bool(spec.get("publishes")):
        raise ValueError(f"{name}: `publishes` (its topics) goes with `uses: [pubsub]`, "
                         "and only there")


@lru_cache(maxsize=1)
def events() -> dict:
    return yaml.safe_load(EVENTS_MANIFEST.read_text())


EDGE_WORKERS_MANIFEST = ROOT / "edge_workers" / "services.yaml"


@dataclass(frozen=True)
class EdgeService:
    """A Cloud Run service of edge_workers/services.yaml (one process per service locally)."""

    name: str
    app: str                 # module:factory of its WSGI app
    requirements: Path       # its own requirements file (all its container installs)
    routes: tuple[Route, ...]
    url_setting: str         # the setting that tells callers where it is
    database_role: str | None = None

    @property
    def module_source(self) -> Path:
        """The file of the app's module (edge_workers/<name>/main.py)."""
        return ROOT / (self.app.split(":", 1)[0].replace(".", "/") + ".py")


def read_edge_services(path: Path) -> dict[str, EdgeService]:
    """Read and check a services.yaml."""
    result = {}
    for name, spec in (yaml.safe_load(Path(path).read_text()) or {}).items():
        if ":" not in str(spec.get("app", "")):
            raise ValueError(f"edge service {name}: `app` must read module:factory")
        if not re.fullmatch(r"[A-Z][A-Z_]*_URL", str(spec.get("url_setting", ""))):
            raise ValueError(f"edge service {name}: `url_setting` must read <NAME>_URL")
        role = spec.get("database_role")
        if role is not None and not re.fullmatch(r"bazaar_[a-z_]+", role):
            raise ValueError(f"edge service {name}: database_role {role!r} must read "
                             "bazaar_<what it does>")
        result[name] = EdgeService(name, spec["app"], ROOT / spec["requirements"],
                                   tuple(_route(r) for r in spec.get("routes") or []),
                                   spec["url_setting"], role)
    return result


@lru_cache(maxsize=1)
def edge_services() -> dict[str, EdgeService]:
    return read_edge_services(EDGE_WORKERS_MANIFEST)
