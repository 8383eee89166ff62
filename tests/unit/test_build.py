"""Each deployable function gets exactly the dependencies its manifest entry names."""

from __future__ import annotations

from devstack import manifest
from tools.build_functions import build, requirements


def _names(lines: list[str]) -> set[str]:
    return {line.split("=")[0].split(">")[0] for line in lines}


def test_a_function_without_uses_gets_only_the_core():
    assert _names(requirements(())) == {"functions-framework", "pydantic", "email-validator"}


def test_auth_and_pubsub_bring_their_client_libraries_only_when_used():
    names = _names(requirements(("database", "auth")))
    assert {"firebase-admin", "sqlalchemy", "pg8000"} <= names
    assert "google-cloud-pubsub" not in names


def test_the_built_folder_holds_main_common_and_requirements(tmp_path):
    function = manifest.functions()["get_me"]
    folder = build(function.name, function.uses, into=tmp_path)
    assert (folder / "main.py").read_text().startswith('"""GET /v1/me')
    assert (folder / "common" / "http.py").is_file()
    assert not (folder / "common" / "migrations").exists()
    assert "firebase-admin==7.7.0" in (folder / "requirements.txt").read_text().splitlines()
