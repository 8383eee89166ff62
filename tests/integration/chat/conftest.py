"""A Firestore emulator of its own for the chat adapter's tests (Google's, as devstack runs
it), and the FirestoreChatRooms over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import firestore

from common.adapters.firestore_chat import FirestoreChatRooms
from devstack.firestore import FirestoreEmulator, start_firestore

PROJECT = "demo-chat"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirestoreEmulator]:
    started = start_firestore(Path(tmp_path_factory.mktemp("firestore")), port=0,
                              project_id=PROJECT)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def client(emulator: FirestoreEmulator) -> Iterator[firestore.Client]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIRESTORE_EMULATOR_HOST", emulator.host)
        yield firestore.Client(project=PROJECT)


@pytest.fixture
def rooms(client: firestore.Client) -> FirestoreChatRooms:
    return FirestoreChatRooms(client)
