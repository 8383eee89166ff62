"""devstack.firestore: Google's emulator with google-cloud-firestore, as the functions use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import firestore

from devstack.firestore import FirestoreEmulator, FirestoreEmulatorMissing, start_firestore

PROJECT = "demo-devstack"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[FirestoreEmulator]:
    started = start_firestore(tmp_path, port=0, project_id=PROJECT)
    yield started
    started.stop()


def client_for(emulator: FirestoreEmulator, monkeypatch: pytest.MonkeyPatch) -> firestore.Client:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.host)
    return firestore.Client(project=PROJECT)


def test_a_create_precondition_holds_and_reset_empties_the_project(
        emulator: FirestoreEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a document created once
    client = client_for(emulator, monkeypatch)
    room = client.collection("rooms").document("r1")
    room.create({"members": ["a", "b"]})

    # When it is created again, Then the precondition refuses it
    from google.api_core.exceptions import AlreadyExists
    with pytest.raises(AlreadyExists):
        room.create({"members": ["x"]})
    assert room.get().to_dict() == {"members": ["a", "b"]}

    # When the emulator is reset, Then nothing is left
    emulator.reset()
    assert not room.get().exists


def test_documents_survive_a_restart_of_the_emulator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a document written before the emulator stops
    first = start_firestore(tmp_path, port=0, project_id=PROJECT)
    try:
        client_for(first, monkeypatch).collection("rooms").document("kept").set({"n": 1})
    finally:
        first.stop()

    # When it starts again from the same folder
    second = start_firestore(tmp_path, port=0, project_id=PROJECT)
    try:
        # Then the document is there (exported on stop, imported on start)
        found = client_for(second, monkeypatch).collection("rooms").document("kept").get()
        assert found.to_dict() == {"n": 1}
    finally:
        second.stop()


def test_a_machine_without_the_emulator_gets_the_install_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_JAR", str(tmp_path / "missing.jar"))
    with pytest.raises(FirestoreEmulatorMissing, match="gcloud components install "
                                                      "cloud-firestore-emulator"):
        start_firestore(tmp_path, port=0, project_id=PROJECT)
