"""Connect Express accounts and their onboarding through an Account Link, as Stripe documents."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
import stripe

from devstack.stripe import LocalStripe

CAPABILITIES = {"card_payments": {"requested": True}, "transfers": {"requested": True}}
REFRESH, RETURN = "https://vendor.example/refresh", "https://vendor.example/return"


def _account(client: stripe.StripeClient, **params: object) -> stripe.Account:
    return client.v1.accounts.create(params={  # type: ignore[arg-type]
        "type": "express", "country": "DE", "capabilities": CAPABILITIES, **params})


def _link(client: stripe.StripeClient, account_id: str) -> stripe.AccountLink:
    return client.v1.account_links.create(params={
        "account": account_id, "type": "account_onboarding", "refresh_url": REFRESH,
        "return_url": RETURN})


def _post(url: str) -> str:
    answer = requests.post(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    return answer.headers["Location"]


def _get(url: str) -> tuple[int, str]:
    answer = requests.get(url, allow_redirects=False, timeout=5)
    return answer.status_code, answer.headers.get("Location", "")


def test_a_new_express_account_is_restricted_with_requirements_due(
        client: stripe.StripeClient) -> None:
    account = _account(client, email="vendor@example.com", business_type="individual",
                       metadata={"vendor_id": "v-1"})

    assert (account.object, account.type, account.country, account.default_currency) == (
        "account", "express", "DE", "eur")
    assert account.id.startswith("acct_") and account.metadata["vendor_id"] == "v-1"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        False, False, False)
    assert account.capabilities.to_dict() == {"card_payments": "inactive",
                                              "transfers": "inactive"}
    assert {"external_account", "tos_acceptance.date", "individual.first_name"} <= set(
        account.requirements.currently_due)
    assert account.requirements.disabled_reason == "requirements.past_due"
    assert account.controller.stripe_dashboard.type == "express"
    assert client.v1.accounts.retrieve(account.id).to_dict() == account.to_dict()


def test_controller_properties_for_the_express_dashboard_make_an_express_account(
        client: stripe.StripeClient) -> None:
    account = client.v1.accounts.create(params={
        "controller": {"stripe_dashboard": {"type": "express"},
                       "fees": {"payer": "application"},
                       "losses": {"payments": "application"}},
        "capabilities": CAPABILITIES})

    assert (account.type, account.capabilities.transfers) == ("express", "inactive")


@pytest.mark.parametrize("params", [
    {"type": "standard"}, {"type": "custom"}, {},
    {"controller": {"stripe_dashboard": {"type": "full"}}},
    {"type": "express", "controller": {"stripe_dashboard": {"type": "express"}}},
], ids=["standard", "custom", "no-type", "full-dashboard", "type-and-controller"])
def test_accounts_other_than_express_are_refused(client: stripe.StripeClient,
                                                 params: dict) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.accounts.create(params=params)  # type: ignore[arg-type]

    assert (raised.value.http_status, raised.value.param) == (
        400, "controller" if params.get("controller") and "type" not in params else "type")


def test_an_account_is_updated_listed_and_deleted(client: stripe.StripeClient) -> None:
    account = _account(client, metadata={"vendor_id": "v-2", "tier": "gold"})

    updated = client.v1.accounts.update(account.id, params={
        "metadata": {"tier": "", "region": "north"}})
    listed = client.v1.accounts.list(params={"limit": 1})
    deleted = client.v1.accounts.delete(account.id)

    assert updated.metadata.to_dict() == {"vendor_id": "v-2", "region": "north"}
    assert [a.id for a in listed.data] == [account.id]
    assert (deleted.id, deleted.deleted) == (account.id, True)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.accounts.retrieve(account.id)
    assert (raised.value.http_status, raised.value.code) == (404, "resource_missing")


def test_onboarding_through_the_link_activates_the_account_and_sends_account_updated(
        client: stripe.StripeClient, twin: LocalStripe, receiver: Any) -> None:
    connect = client.v1.webhook_endpoints.create(params={
        "url": receiver.url, "connect": True,
        "enabled_events": ["account.updated", "capability.updated"]})
    platform_only = client.v1.webhook_endpoints.create(params={
        "url": receiver.url + "/platform", "enabled_events": ["account.updated"]})
    account = _account(client)
    try:
        link = _link(client, account.id)
        status, _ = _get(link.url)
        location = _post(link.url + "/complete")
        receiver.wait_for(3)
    finally:
        client.v1.webhook_endpoints.delete(connect.id)
        client.v1.webhook_endpoints.delete(platform_only.id)

    assert (link.object, link.expires_at - link.created, status, location) == (
        "account_link", 300, 200, RETURN)
    assert link.url.startswith(f"{twin.base_url}/setup/e/{account.id}/")
    onboarded = client.v1.accounts.retrieve(account.id)
    assert (onboarded.charges_enabled, onboarded.payouts_enabled,
            onboarded.details_submitted) == (True, True, True)
    assert onboarded.capabilities.to_dict() == {"card_payments": "active", "transfers": "active"}
    assert (onboarded.requirements.currently_due, onboarded.requirements.disabled_reason) == (
        [], None)
    paths = {json.loads(body)["type"] for body, _, _ in receiver.received}
    assert (len(receiver.received), paths) == (3, {"account.updated", "capability.updated"})
    body, signature, _ = next(r for r in receiver.received
                              if json.loads(r[0])["type"] == "account.updated")
    event = stripe.Webhook.construct_event(body, signature, connect.secret)
    assert (event.account, event.data.object.id, event.data.object.charges_enabled) == (
        account.id, account.id, True)
    previous = event.data.previous_attributes
    assert (previous.charges_enabled, previous.details_submitted) == (False, False)
    assert previous.capabilities.to_dict() == {"card_payments": "inactive",
                                               "transfers": "inactive"}


def test_connected_account_events_are_listed_with_its_stripe_account_header(
        client: stripe.StripeClient, onboard: Any) -> None:
    account = onboard(client)

    own = client.v1.events.list(params={"limit": 3}, options={"stripe_account": account.id})
    platform = client.v1.events.list(params={"limit": 100, "type": "account.updated"})

    assert sorted(e.type for e in own.data) == [
        "account.updated", "capability.updated", "capability.updated"]
    assert {e.account for e in own.data} == {account.id}
    assert account.id not in {e.data.object.id for e in platform.data}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.retrieve(own.data[0].id)


def test_a_used_or_revisited_link_sends_the_user_to_refresh_url(
        client: stripe.StripeClient) -> None:
    done, revisited = _link(client, _account(client).id), _link(client, _account(client).id)
    _get(done.url)
    _post(done.url + "/complete")
    _get(revisited.url)

    assert [_get(done.url), _get(revisited.url)] == [(303, REFRESH), (303, REFRESH)]
    assert _post(done.url + "/complete") == REFRESH
    assert _post(revisited.url + "/complete") == RETURN  # the page it showed still submits


def test_leaving_the_flow_returns_to_return_url_without_onboarding(
        client: stripe.StripeClient) -> None:
    account = _account(client)
    link = _link(client, account.id)
    _get(link.url)

    location = _post(link.url + "/leave")

    assert location == RETURN
    left = client.v1.accounts.retrieve(account.id)
    assert (left.details_submitted, left.capabilities.transfers) == (False, "inactive")
    assert _get(link.url) == (303, REFRESH)


def test_an_expired_link_sends_the_user_to_refresh_url(client: stripe.StripeClient,
                                                       twin: LocalStripe) -> None:
    account = _account(client)
    link = _link(client, account.id)
    with twin.api.store.lock:  # five minutes later: Stripe's links live 300 s
        twin.api.connect.links.links[link.url.rsplit("/", 1)[1]]["expires_at"] = (
            int(time.time()) - 1)

    assert _get(link.url) == (303, REFRESH)
    assert client.v1.accounts.retrieve(account.id).details_submitted is False


@pytest.mark.parametrize(("params", "param"), [
    ({"account": "acct_missing", "type": "account_onboarding"}, "account"),
    ({"type": "account_update"}, "type"),
    ({"type": "account_onboarding", "refresh_url": REFRESH}, "return_url"),
], ids=["unknown-account", "update-of-express", "no-return-url"])
def test_invalid_account_links_are_refused(client: stripe.StripeClient, params: dict,
                                           param: str) -> None:
    account = _account(client)
    full = {"account": account.id, "refresh_url": REFRESH, "return_url": RETURN, **params}
    if param == "return_url":
        del full["return_url"]

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.account_links.create(params=full)  # type: ignore[arg-type]

    assert (raised.value.http_status, raised.value.param) == (400, param)


def test_an_unknown_link_is_a_404(twin: LocalStripe) -> None:
    answer = requests.get(f"{twin.base_url}/setup/e/acct_nope/{uuid.uuid4().hex}", timeout=5)

    assert answer.status_code == 404
