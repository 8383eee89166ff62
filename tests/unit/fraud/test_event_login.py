"""signal.login and password_reset.requested: failed-login bursts, impossible travel."""

import uuid

import pytest

from edge_workers.fraud.countries import distance_km
from edge_workers.fraud.event_handlers import HANDLERS, on_login
from edge_workers.fraud.history import MemoryHistory
from tests.unit.fraud.signals_given import NOW, event_id, login, minutes


def fail(history, account_id, n, *, ip="198.51.100.9", start=NOW):
    return [on_login(event_id(), login(account_id, "failed", ip=ip), history,
                     start + minutes(i * 0.5)) for i in range(n)]


def test_centroid_distances_are_great_circle_kilometres():
    assert round(distance_km("DE", "US")) == 7860
    assert round(distance_km("de", "at")) == 507
    assert distance_km("DE", "ZZ") is None


def test_the_tenth_failed_login_on_an_account_in_ten_minutes_opens_one_case():
    # Given an account under a password-guessing attack
    history, account = MemoryHistory(), str(uuid.uuid4())
    # When ten failed logins arrive within five minutes, from different addresses
    results = [on_login(event_id(), login(account, "failed", ip=f"203.0.113.{i}"), history,
                        NOW + minutes(i * 0.5)) for i in range(10)]
    # Then only the tenth opens a case, which blocks nothing (the owner is the victim)
    assert [len(cases) for cases in results] == [0] * 9 + [1]
    [case] = results[-1]
    assert (case.kind, case.account_id, case.action, case.score) == (
        "login", account, "none", 0.6)
    assert case.reasons == ("10 failed logins on this account in 10 min",)


def test_failed_logins_of_unknown_emails_from_one_address_are_a_burst_without_account():
    history = MemoryHistory()
    results = fail(history, None, 10, ip="198.51.100.20")
    [case] = results[-1]
    assert (case.account_id, case.reasons) == (None, ("10 failed logins from this address "
                                                      "in 10 min",))


def test_failed_logins_spread_over_more_than_ten_minutes_are_no_burst():
    history, account = MemoryHistory(), str(uuid.uuid4())
    results = [on_login(event_id(), login(account, "failed", ip=None), history,
                        NOW + minutes(i * 2)) for i in range(10)]
    assert all(cases == [] for cases in results)


def test_a_login_from_the_other_side_of_the_world_an_hour_later_is_impossible_travel():
    # Given a successful login from Germany
    history, account = MemoryHistory(), str(uuid.uuid4())
    assert on_login(event_id(), login(account, country="DE"), history, NOW) == []
    # When the account logs in from Japan an hour later
    [case] = HANDLERS["signal.login"](event_id(), login(account, country="JP"), history,
                                      NOW + minutes(60))
    # Then a case opens (no block on travel alone)
    assert case.action == "none" and case.score == 0.7
    assert case.reasons == ("logged in from DE then JP: 9046 km in 60 min",)


@pytest.mark.parametrize("country,after", [("AT", 5), ("US", 60 * 9), ("DE", 1)],
                         ids=["neighbour", "a long flight later", "same country"])
def test_plausible_journeys_are_no_travel(country, after):
    history, account = MemoryHistory(), str(uuid.uuid4())
    on_login(event_id(), login(account, country="DE"), history, NOW)
    assert on_login(event_id(), login(account, country=country), history,
                    NOW + minutes(after)) == []


def test_impossible_travel_after_a_failed_burst_blocks_the_account():
    # Given a login from Germany, then ten failed guesses
    history, account = MemoryHistory(), str(uuid.uuid4())
    on_login(event_id(), login(account, country="DE"), history, NOW)
    fail(history, account, 10, ip=None, start=NOW + minutes(20))
    # When the guesser gets in from Brazil
    [case] = on_login(event_id(), login(account, country="BR"), history, NOW + minutes(30))
    # Then the account looks taken over: blocked until an admin clears it
    assert case.action == "account_blocked" and case.score == 0.88
    assert case.reasons[1] == "10 failed logins on this account in the 10 min before"


def test_a_password_reset_is_history_for_the_order_screening():
    history, account = MemoryHistory(), str(uuid.uuid4())
    assert HANDLERS["password_reset.requested"]("e-1", {"account_id": account}, history,
                                                NOW) == []
    assert history.count("password_reset", "account_id", account, NOW - minutes(1)) == 1
