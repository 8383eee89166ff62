"""A federated round over the stack's PostgreSQL and fake-gcs-server: the published version,
updates accepted or refused (stale, malformed, duplicate), a poisoned update filtered out,
and the next version's immutable object holding exactly the expected factors (no noise)."""

from __future__ import annotations

import json
import urllib.request

import numpy as np
import pytest
from google.api_core import exceptions

from common.adapters.gcs_models import MODEL_CACHE_CONTROL
from common.domain import privacy
from common.domain.errors import InvalidModelUpdate, StaleModelVersion, UpdateAlreadyReceived
from tests.integration.federated import rounds


@pytest.fixture
def clean_round(stack):
    """The current model, with no update pending before or after the test."""
    rounds.finish_round()
    yield rounds.current()
    rounds.finish_round()


def test_the_current_version_is_an_immutable_public_object_of_its_listed_shape(clean_round):
    # Given the current version
    record, model = clean_round

    # When its object is downloaded from the public URL
    url = rounds.objects().public_url(record.object_path)
    with urllib.request.urlopen(url, timeout=10) as response:
        document = json.loads(response.read())
        cache_control = response.headers["Cache-Control"]

    # Then it holds the listed shape and says it never changes
    assert cache_control == MODEL_CACHE_CONTROL
    assert document["version"] == record.version
    assert len(document["item_ids"]) == record.items == len(model.item_ids)
    assert np.asarray(document["item_factors"]).shape == (record.items, record.dim)
    assert document["hyper"]["clip_norm"] == record.hyper["clip_norm"]


def test_a_published_object_cannot_be_overwritten(clean_round):
    # Given the current version's object
    record, _ = clean_round
    blob = rounds.objects()._bucket.blob(record.object_path)

    # When anything tries to write that name again, Then the bucket refuses
    with pytest.raises(exceptions.PreconditionFailed):
        blob.upload_from_string(b"{}", content_type="application/json", if_generation_match=0)


def test_updates_for_another_version_are_stale(clean_round):
    # Given the current version v and a device
    record, _ = clean_round
    device = rounds.customers(1)[0]
    update = np.zeros((record.items, record.dim))

    # When it sends an update for v - 1 or v + 1, Then both are stale, naming v
    for version in (record.version - 1, record.version + 1):
        with pytest.raises(StaleModelVersion) as refused:
            rounds.submit(device, version, update)
        assert refused.value.extra == {"current_version": record.version}
    assert rounds.pending_updates(record.version) == 0


@pytest.mark.parametrize("malformed", ["wrong-shape", "nan", "inf", "beyond-clip"])
def test_malformed_updates_are_refused_and_nothing_is_stored(clean_round, malformed):
    # Given the current version and a malformed update
    record, _ = clean_round
    update = np.zeros((record.items, record.dim))
    if malformed == "wrong-shape":
        update = np.zeros((record.items + 1, record.dim))
    elif malformed == "nan":
        update[0, 0] = np.nan
    elif malformed == "inf":
        update[0, 0] = np.inf
    else:
        update[0, 0] = 1.5

    # When it is sent, Then it is refused and the round holds nothing
    with pytest.raises(InvalidModelUpdate):
        rounds.submit(rounds.customers(1)[0], record.version, update.tolist())
    assert rounds.pending_updates(record.version) == 0


def test_a_device_sends_one_update_per_round(clean_round):
    # Given a device whose update was accepted
    record, _ = clean_round
    device = rounds.customers(1)[0]
    update = np.full((record.items, record.dim), 0.001)
    assert rounds.submit(device, record.version, update) == record.version

    # When it sends another for the same version, Then it is refused and one is kept
    with pytest.raises(UpdateAlreadyReceived):
        rounds.submit(device, record.version, update * 2)
    assert rounds.pending_updates(record.version) == 1


def test_a_round_below_the_minimum_publishes_nothing(clean_round):
    # Given two updates where the round needs three
    record, _ = clean_round
    for device in rounds.customers(2):
        rounds.submit(device, record.version, np.zeros((record.items, record.dim)))

    # When the aggregation runs
    result = rounds.aggregate(min_updates=3)

    # Then the version stays current and the updates wait
    assert result["published"] is None
    assert rounds.current()[0].version == record.version
    assert rounds.pending_updates(record.version) == 2


def test_a_round_publishes_the_mean_of_the_honest_updates_without_the_poisoned_one(clean_round):
    # Given five honest updates and one sign-flipped at the clip norm, weights at the cap
    record, base = clean_round
    shape = (record.items, record.dim)
    honest = rounds.honest(shape, 5, seed=record.version)
    flipped = -np.mean(honest, axis=0) / np.linalg.norm(np.mean(honest, axis=0))
    devices = rounds.customers(6)
    for device, update in zip(devices, [*honest, flipped], strict=True):
        rounds.submit(device, record.version, update.tolist(), num_examples=1000)

    # When the round is aggregated without noise
    result = rounds.aggregate(min_updates=6)

    # Then v + 1 is published, the poisoned update dropped, the honest mean applied
    assert result["published"] == record.version + 1
    assert (result["updates"], result["dropped"]) == (6, 1)
    new_record, model = rounds.current()
    assert new_record.version == record.version + 1
    assert (new_record.round_updates, new_record.noise_multiplier) == (6, 0.0)
    assert new_record.epsilon is None
    from common import bootstrap

    expected = base.item_factors + bootstrap.settings().fl_server_lr * np.mean(honest, axis=0)
    rows = [model.row_of(item_id) for item_id in base.item_ids]
    assert None not in rows
    assert np.allclose(model.item_factors[rows], expected, atol=2e-6)
    # And the round's updates are forgotten, and the event is in the outbox
    assert rounds.pending_updates(record.version) == 0
    event = rounds.published_event(new_record.version)
    assert event is not None
    assert (event["object_path"], event["round_updates"]) == (new_record.object_path, 6)


def test_a_noisy_round_records_the_privacy_spent_by_every_round_so_far(clean_round):
    # Given three updates in a round with noise z = 1
    record, _ = clean_round
    for device in rounds.customers(3):
        rounds.submit(device, record.version, np.zeros((record.items, record.dim)))

    # When it is aggregated
    rounds.aggregate(min_updates=3, noise=1.0, seed=1)

    # Then the new version records this round's q and z, δ = 1/N, and the ε the accountant
    # gives for all rounds so far (none: unbounded, when any earlier round had no noise)
    new_record, _ = rounds.current()
    assert new_record.version == record.version + 1
    assert new_record.noise_multiplier == 1.0
    assert new_record.sampling_rate == pytest.approx(3 / rounds.population())
    assert new_record.delta == pytest.approx(1 / rounds.population())
    spent = privacy.epsilon_of_rounds(rounds.past_rounds(), new_record.delta)
    assert spent > 0.0
    assert new_record.epsilon == (None if spent == float("inf") else pytest.approx(spent))
