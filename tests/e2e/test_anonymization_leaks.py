"""Issue 12, anonymization point 3: a population with known personal data sends its events
through the anonymizer over HTTP, and nothing the analytics side received — the `analytics`
and `interactions` topics, the analytics_events table, the export bucket, the anonymizer's
log — holds any of it: zero hits."""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from google.cloud import storage
from sqlalchemy import text

from common import bootstrap
from common.domain.pseudonyms import pseudonym
from common.domain.residency import zone_of

pytestmark = pytest.mark.events
FIRST = ["Anna", "Jonas", "Maria", "Kwame", "Yuki", "Lucía", "Oskar", "Priya", "Mateo", "Ines"]
LAST = ["Kowalczyk", "Oyelaran", "Fitzgerald", "Nakamura", "Bergström", "Castellanos",
        "Vasquez", "Lindqvist", "Okonkwo", "Hargreaves"]
STREETS = ["Baker Street", "Elm Road", "Harbour Lane", "Maple Avenue", "Station Road"]
COUNTRIES = ["DE", "FR", "US", "BR", "JP", "IN", "GB", "MX"]


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    ip: str
    iban: str
    card: str
    address: str
    device_id: str
    country: str
    account_id: str | None = None
    auth: dict | None = None

    def raw_values(self) -> list[str]:
        """Every personal value, as sent and without its spaces (a joined IBAN or card)."""
        values = [self.name, self.name.split()[1], self.email, self.phone, self.ip, self.iban,
                  self.iban.replace(" ", ""), self.card, self.card.replace(" ", ""),
                  self.address, self.device_id, self.account_id]
        return [v for v in values if v]


def iban(rng: random.Random) -> str:
    """A German IBAN with a valid mod-97 check, grouped by four."""
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14, then "00"
    compact = f"DE{check:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def card(rng: random.Random) -> str:
    """A Visa-like number that passes Luhn, grouped by four."""
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2)
                for i, d in enumerate(reversed(digits)))
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return " ".join(number[i:i + 4] for i in range(0, 16, 4))


def population(rng: random.Random, customers: list) -> list[Person]:
    people = []
    for index in range(24):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        user = customers[index] if index < len(customers) else None
        email = user.email if user else f"{first.lower()}.{last.lower()}{index}@mail.example"
        people.append(Person(
            name=f"{first} {last}", email=email, phone=f"+49 171 {rng.randrange(10**6, 10**7)}",
            ip=f"198.51.100.{index + 10}", iban=iban(rng), card=card(rng),
            address=f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
            device_id=f"dev-{uuid.uuid4().hex}", country=rng.choice(COUNTRIES),
            account_id=user.id if user else None, auth=user.auth if user else None))
    return people


def send(api, person: Person, product: str) -> None:  # noqa: ANN001
    now = datetime.now(timezone.utc).isoformat()
    headers = {"X-Device-Id": person.device_id, "X-Client-Region": person.country,
               "X-Forwarded-For": person.ip, "User-Agent": f"Mozilla/5.0 (iPhone) {person.name}",
               **(person.auth or {})}
    note = (f"Hi, my name is {person.name}, mail {person.email} or call {person.phone}. "
            f"Ship to {person.address}. IBAN {person.iban}, card {person.card}, from {person.ip}"
            f" (device {person.device_id})")
    analytics = {"events": [
        {"type": "checkout_started", "at": now, "product_id": product, "text": note,
         "properties": {"value": 45_678, "currency": "EUR", "email": person.email,
                        "name": person.name, "city": "Springfield", "phone": person.phone}},
        {"type": "page_view", "at": now, "properties": {"screen": "home"}}]}
    interactions = {"events": [
        {"type": "view", "at": now, "product_id": product},
        {"type": "search", "at": now, "query": f"{person.email} {person.phone} {person.iban}"}]}
    for path, body in (("/v1/analytics/events", analytics), ("/v1/interactions", interactions)):
        response = api.post(path, json=body, headers=headers)
        assert response.status_code == 202, response.text


def stored_rows(pseudonyms: list[str]) -> list[str]:
    with bootstrap.engine().connect() as db:
        return [json.dumps(dict(row._mapping), default=str) for row in db.execute(text(
            "SELECT * FROM analytics_events WHERE pseudonym = ANY(:p)"), {"p": pseudonyms})]


def everything_received(stack, pubsub) -> dict[str, str]:  # noqa: ANN001
    """What the analytics side holds, by place, as text."""
    with bootstrap.engine().connect() as db:
        table = "\n".join(json.dumps(dict(r._mapping), default=str)
                          for r in db.execute(text("SELECT * FROM analytics_events")))
    bucket = storage.Client().bucket(bootstrap.settings().analytics_bucket)
    objects = "\n".join(blob.download_as_text() for blob in bucket.list_blobs())
    return {
        "analytics topic": "\n".join(m.data.decode() for m in pubsub.messages("analytics")),
        "interactions topic": "\n".join(m.data.decode() + json.dumps(dict(m.attributes))
                                        for m in pubsub.messages("interactions")),
        "analytics_events": table,
        "export bucket": objects,
        "anonymizer log": stack.services["anonymizer"].log_path.read_text(errors="replace"),
    }


def test_a_population_with_personal_data_leaves_none_of_it_on_the_analytics_side(
        api, stack, pubsub):  # noqa: ANN001
    # Given 24 people (3 of them signed-in customers), each with a name, email, phone, IP,
    # IBAN, card number, street address, device id and a country
    rng = random.Random(12)
    people = population(rng, [api.register("customer") for _ in range(3)])
    product = str(uuid.uuid4())

    # When each sends analytics events and interactions full of it through the anonymizer
    for person in people:
        send(api, person, product)

    # Then every event arrives in analytics_events (2 analytics + 2 interactions each) ...
    settings = bootstrap.settings()
    who = [pseudonym("account" if p.account_id else "device", p.account_id or p.device_id,
                     settings.zone_keys(zone_of(p.country) or "eu")[0]) for p in people]
    deadline = time.monotonic() + 30
    while len(rows := stored_rows(who)) < 4 * len(people):
        assert time.monotonic() < deadline, len(rows)
        time.sleep(0.2)
    assert len(rows) == 4 * len(people)
    assert sum('"<EMAIL>' in r or "<ID>" in r for r in rows) >= len(people)  # text was kept

    # ... and no place on the analytics side holds any raw value
    received = everything_received(stack, pubsub)
    assert all(received[place] for place in ("analytics topic", "interactions topic",
                                             "analytics_events"))
    hits = [(place, value) for person in people for value in person.raw_values()
            for place, content in received.items() if value.lower() in content.lower()]
    assert hits == []
