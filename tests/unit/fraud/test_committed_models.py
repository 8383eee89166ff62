"""Which committed fraud model is the newest: versions compare number by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_workers.fraud.committed_models import newest_model, newest_model_path


def test_the_newest_model_is_the_highest_version_not_the_last_name(tmp_path: Path) -> None:
    for version in ["2026-11-30.2", "2026-12-01.9", "2026-12-01.10"]:
        (tmp_path / f"fraud-{version}.onnx").write_bytes(b"")
    (tmp_path / "fraud-2026-12-01.99.json").write_text("{}")  # a meta file is no model

    assert newest_model(tmp_path) == ("2026-12-01.10", tmp_path / "fraud-2026-12-01.10.onnx")


def test_no_committed_model_is_none_or_a_clear_error(tmp_path: Path) -> None:
    assert newest_model(tmp_path) is None
    with pytest.raises(FileNotFoundError, match="train-fraud"):
        newest_model_path(tmp_path)
