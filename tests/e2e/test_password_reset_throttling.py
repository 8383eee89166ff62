"""Password-reset mails are throttled per email without the answer telling anything."""

from __future__ import annotations

import pytest

from tests.conftest import unique_email

pytestmark = pytest.mark.events


def _resets_to(api, email: str) -> int:
    return sum("Reset your" in mail.subject for mail in api.mail.messages(to=email))


def test_reset_mails_stop_at_the_per_email_limit_while_answers_stay_202(api, pubsub):
    from common import bootstrap

    limit = bootstrap.settings().password_resets_per_email
    user = api.register("customer", verify=False, login=False)
    unknown = unique_email("nobody")
    # When a registered and an unknown email each ask for more resets than the limit
    answers = [api.post("/v1/password-resets", json={"email": email})
               for email in (user.email, unknown) for _ in range(limit + 2)]
    # Then every answer is the same 202, and only `limit` mails reach the registered one
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}
    api.mail.wait_for(user.email, subject_contains="Reset your", timeout=30)
    pubsub.wait_until_idle(timeout=60)
    assert _resets_to(api, user.email) == limit
    assert api.mail.messages(to=unknown) == []
