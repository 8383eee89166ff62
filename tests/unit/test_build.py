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


def test_the_auth_and_upload_groups_name_their_library_once():
    # Groups that differ only in IAM (functions/manifest.yaml) reuse `bazaar[...]` pins.
    for group, library in [("auth_admin", "firebase-admin"), ("auth_client", "firebase-admin"),
                           ("upload_urls", "google-cloud-storage")]:
        assert library in _names(requirements((group,))), group
    assert not any(line.startswith("bazaar") for line in requirements(("auth_admin",)))


def test_every_group_a_function_uses_is_a_dependency_group():
    for function in manifest.functions().values():
        requirements(function.uses)  # raises KeyError for a group pyproject.toml lacks


def test_the_build_needs_nothing_that_is_never_deployed():
    import subprocess
    import sys

    from tests.conftest import ROOT

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, tools.build_functions as b; b.functions(); "
         "print(sorted(m for m in sys.modules if m.split('.')[0] in ('devstack', 'common')))"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
