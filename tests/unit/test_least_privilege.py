"""The deployment declarations grant no more than a function does (functions/manifest.yaml)."""

from __future__ import annotations

import functools
import inspect

import pytest

from common import bootstrap
from devstack import manifest


def app_topics() -> set[str]:
    return {name for name in manifest.events()["topics"] if name != "gcs-object-events"}


def outbox_topics() -> set[str]:
    """The application topics whose events go through the outbox (events.yaml `outbox`,
    true unless a topic's telemetry is published directly)."""
    topics = manifest.events()["topics"]
    return {name for name in app_topics() if topics[name].get("outbox", True)}


def test_functions_publish_only_to_application_topics_and_the_sweep_to_the_outbox_ones():
    for function in manifest.functions().values():
        assert set(function.publishes) <= app_topics(), function.name
    assert set(manifest.functions()["sweep_outbox"].publishes) == outbox_topics()
    assert outbox_topics() < app_topics()  # interactions and feed: published directly


@pytest.mark.parametrize("spec,message", [
    ({"uses": ["database"]}, "database_role"),
    ({"uses": [], "database_role": "bazaar_reader"}, "database_role"),
    ({"uses": ["database"], "database_role": "everything"}, "bazaar_"),
    ({"uses": ["pubsub"]}, "publishes"),
    ({"uses": [], "publishes": ["identity"]}, "publishes"),
], ids=["role-missing", "role-without-database", "role-name", "topics-missing",
        "topics-without-pubsub"])
def test_a_manifest_entry_must_name_its_role_and_topics(spec, message):
    with pytest.raises(ValueError, match=message):
        manifest._check_grants("some_function", {"trigger": "http", **spec})


def test_bootstrap_caches_what_holds_the_engine_per_database_role():
    # An adapter built once for the first role would serve every later function with it.
    for name, value in vars(bootstrap).items():
        if isinstance(value, functools._lru_cache_wrapper):
            assert "engine()" not in inspect.getsource(value.__wrapped__), name


def test_a_database_role_changes_only_the_user_of_the_local_url(monkeypatch):
    from sqlalchemy.engine import make_url

    owner = "postgresql+pg8000://postgres@/bazaar?unix_sock=/tmp/s/.s.PGSQL.5432"
    monkeypatch.setattr(bootstrap, "settings", lambda: bootstrap.settings_module.from_environment(
        {"DATABASE_URL": owner}))

    url = make_url(bootstrap._database_settings("bazaar_reader").database_url)

    assert url == make_url(owner).set(username="bazaar_reader")
    assert bootstrap._database_settings(None).database_url == owner
