"""The models committed in edge_workers/fraud/model (`fraud-<version>.onnx`, each beside its
meta JSON), and which is the newest: the highest version, numbers compared as numbers
(`2026-12-01.10` is newer than `2026-12-01.9`). The stack uploads that one; the tests and
benchmarks score with it."""

from __future__ import annotations

import re
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "model"


def _version_key(version: str) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", version) if part]


def newest_model(folder: Path = MODELS) -> tuple[str, Path] | None:
    """(version, path) of the committed model with the highest version; None if none."""
    models = {path.name[len("fraud-"):-len(".onnx")]: path
              for path in folder.glob("fraud-*.onnx")}
    if not models:
        return None
    version = max(models, key=_version_key)
    return version, models[version]


def newest_model_path(folder: Path = MODELS) -> Path:
    """The newest committed model's file; FileNotFoundError when none is committed."""
    found = newest_model(folder)
    if found is None:
        raise FileNotFoundError(f"no fraud-*.onnx in {folder}: run `nox -s train-fraud`")
    return found[1]
