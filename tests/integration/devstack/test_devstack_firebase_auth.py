"""devstack.firebase_auth: the Firebase Auth emulator driven by firebase-admin.

The emulator takes ~8 s of CPU to start, so the tests share one per module; the restart test
replaces it with the restarted one, so neither test depends on the other having run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import firebase_admin
import pytest
from firebase_admin import auth

from devstack.firebase_auth import AuthEmulator, start_auth_emulator


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, AuthEmulator]]:
    """{"emulator": the module's running emulator}; a test may replace it."""
    holder = {"emulator": start_auth_emulator(tmp_path_factory.mktemp("auth"), port=0)}
    yield holder
    holder["emulator"].stop()


def admin_app(emulator: AuthEmulator, monkeypatch: pytest.MonkeyPatch) -> firebase_admin.App:
    """A uniquely named firebase-admin app talking to the emulator (no credentials needed)."""
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    return firebase_admin.initialize_app(
        options={"projectId": emulator.project_id}, name=uuid.uuid4().hex
    )


def test_emulator_creates_users_and_exports_them(
    shared: dict[str, AuthEmulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = shared["emulator"]
    assert emulator.env() == {
        "FIREBASE_AUTH_EMULATOR_HOST": emulator.host,
        "GOOGLE_CLOUD_PROJECT": "demo-bazaar",
    }
    app = admin_app(emulator, monkeypatch)
    try:
        user = auth.create_user(email="ann@example.com", password="Secret-123", app=app)
        auth.set_custom_user_claims(user.uid, {"role": "vendor"}, app=app)
        found = auth.get_user_by_email("ann@example.com", app=app)
        assert found.uid == user.uid and found.custom_claims == {"role": "vendor"}
        emulator.export()
        exported = json.loads((emulator.export_dir / "auth_export" / "accounts.json").read_text())
        assert "ann@example.com" in [account.get("email") for account in exported["users"]]
    finally:
        firebase_admin.delete_app(app)


def test_accounts_survive_stop_and_start(
    shared: dict[str, AuthEmulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = shared["emulator"]
    app = admin_app(first, monkeypatch)
    try:
        uid = auth.create_user(email="bob@example.com", password="Secret-123", app=app).uid
        # Enough accounts that re-importing them takes a while: start must wait for the import.
        others = [auth.ImportUserRecord(uid=f"u{n}", email=f"u{n}@example.com") for n in range(300)]
        assert auth.import_users(others, app=app).success_count == 300
        count = len(list(auth.list_users(app=app).iterate_all()))
    finally:
        firebase_admin.delete_app(app)
    first.stop()
    assert first.process.poll() is not None
    shared["emulator"] = second = start_auth_emulator(first.folder.parent, port=0)
    app = admin_app(second, monkeypatch)
    try:
        assert auth.get_user_by_email("bob@example.com", app=app).uid == uid
        assert len(list(auth.list_users(app=app).iterate_all())) == count
    finally:
        firebase_admin.delete_app(app)
