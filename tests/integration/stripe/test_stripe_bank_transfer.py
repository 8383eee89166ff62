"""EU bank transfers through customer_balance: instructions, funding, reconciliation, refunds."""

from __future__ import annotations

import uuid

import pytest
import requests
import stripe

BANK_TRANSFER = {"customer_balance": {"funding_type": "bank_transfer", "bank_transfer": {
    "type": "eu_bank_transfer", "eu_bank_transfer": {"country": "DE"}}}}


def _events_of(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in events if getattr(e.data.object, "id", None) == object_id]


def _customer(client: stripe.StripeClient, email: str | None = "buyer@example.test") -> str:
    return client.v1.customers.create(params={"email": email} if email else {}).id


def _transfer(client: stripe.StripeClient, customer: str, amount: int = 5000,
              **extra: object) -> stripe.PaymentIntent:
    params = {"amount": amount, "currency": "eur", "customer": customer,
              "payment_method_types": ["customer_balance"],
              "payment_method_data": {"type": "customer_balance"},
              "payment_method_options": BANK_TRANSFER, "confirm": True,
              "transfer_group": f"order-{uuid.uuid4()}", **extra}
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def _fund(client: stripe.StripeClient, customer: str, amount: int,
          reference: str | None = None) -> stripe.CustomerCashBalanceTransaction:
    params = {"amount": amount, "currency": "eur", **({"reference": reference} if reference
                                                       else {})}
    return client.v1.test_helpers.customers.fund_cash_balance(customer, params=params)  # type: ignore[arg-type]


def _available(client: stripe.StripeClient, customer: str) -> int:
    return client.v1.customers.cash_balance.retrieve(customer).available["eur"]


def _instructions(client: stripe.StripeClient, pi_id: str) -> stripe.StripeObject:
    return client.v1.payment_intents.retrieve(pi_id).next_action.display_bank_transfer_instructions


def _iban_is_valid(iban: str) -> bool:
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def test_confirming_shows_transfer_instructions(client: stripe.StripeClient) -> None:
    customer = _customer(client)

    pi = _transfer(client, customer)

    shown = pi.next_action.display_bank_transfer_instructions
    address = shown.financial_addresses[0]
    assert (pi.status, pi.next_action.type, shown.type) == (
        "requires_action", "display_bank_transfer_instructions", "eu_bank_transfer")
    assert (shown.amount_remaining, shown.currency, address.type,
            address.supported_networks) == (5000, "eur", "iban", ["sepa"])
    assert (address.iban.country, address.iban.iban[:2], len(address.iban.iban)) == (
        "DE", "DE", 22)
    assert _iban_is_valid(address.iban.iban) and address.iban.bic and len(shown.reference) == 12
    page = requests.get(shown.hosted_instructions_url, timeout=5)
    assert page.status_code == 200 and address.iban.iban in page.text
    assert _events_of(client, pi.id) == ["payment_intent.requires_action",
                                         "payment_intent.created"]


def test_the_iban_is_the_customers_and_the_reference_the_intents(
        client: stripe.StripeClient) -> None:
    customer, other = _customer(client), _customer(client)

    first, second, theirs = (_transfer(client, customer), _transfer(client, customer),
                             _transfer(client, other))

    shown = [pi.next_action.display_bank_transfer_instructions for pi in (first, second, theirs)]
    ibans = [s.financial_addresses[0].iban.iban for s in shown]
    assert ibans[0] == ibans[1] != ibans[2]
    assert len({s.reference for s in shown}) == 3


@pytest.mark.parametrize(("change", "param"), [
    ({"customer": None}, "customer"),
    ({"currency": "usd"}, "currency"),
    ({"payment_method_options": {"customer_balance": {
        "funding_type": "bank_transfer", "bank_transfer": {
            "type": "eu_bank_transfer", "eu_bank_transfer": {"country": "PL"}}}}},
     "payment_method_options[customer_balance][bank_transfer][eu_bank_transfer][country]"),
    ({"capture_method": "manual"}, "capture_method"),
], ids=["no-customer", "not-eur", "unsupported-country", "manual-capture"])
def test_invalid_bank_transfers_are_refused_before_an_intent_exists(
        client: stripe.StripeClient, change: dict, param: str) -> None:
    customer = _customer(client)
    before = client.v1.payment_intents.list(params={"limit": 1}).data[0].id
    params = {"amount": 5000, "currency": "eur", "customer": customer,
              "payment_method_types": ["customer_balance"],
              "payment_method_data": {"type": "customer_balance"},
              "payment_method_options": BANK_TRANSFER, "confirm": True}
    params.update(change)
    params = {key: value for key, value in params.items() if value is not None}

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]

    assert (raised.value.http_status, raised.value.error.param) == (400, param)
    assert client.v1.payment_intents.list(params={"limit": 1}).data[0].id == before


def test_an_underpayment_partially_funds_then_the_rest_completes_it(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer)
    reference = pi.next_action.display_bank_transfer_instructions.reference

    funded = _fund(client, customer, 2000, reference)

    assert (funded.object, funded.type, funded.net_amount, funded.funded.bank_transfer.reference,
            funded.ending_balance) == (
        "customer_cash_balance_transaction", "funded", 2000, reference, 2000)
    partial = client.v1.payment_intents.retrieve(pi.id)
    assert (partial.status, partial.amount_received, _available(client, customer)) == (
        "requires_action", 0, 0)
    assert _instructions(client, pi.id).amount_remaining == 3000
    assert _events_of(client, pi.id)[0] == "payment_intent.partially_funded"

    _fund(client, customer, 3000, reference)

    done = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
    charge = done.latest_charge
    assert (done.status, done.amount_received, done.next_action) == ("succeeded", 5000, None)
    assert (charge.payment_method_details.type, charge.amount, charge.amount_captured,
            charge.captured, charge.transfer_group, charge.customer) == (
        "customer_balance", 5000, 5000, True, pi.transfer_group, customer)
    assert _events_of(client, pi.id) == [
        "payment_intent.succeeded", "payment_intent.partially_funded",
        "payment_intent.requires_action", "payment_intent.created"]


def test_full_funding_records_the_balance_moves_before_the_success(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer, 1800)

    _fund(client, customer, 1800, pi.next_action.display_bank_transfer_instructions.reference)

    types = [e.type for e in client.v1.events.list(params={"limit": 4}).data]
    assert types == ["payment_intent.succeeded", "charge.succeeded",
                     "customer_cash_balance_transaction.created",
                     "customer_cash_balance_transaction.created"]
    moves = client.v1.customers.cash_balance_transactions.list(customer).data
    assert [(t.type, t.net_amount, t.ending_balance) for t in moves] == [
        ("applied_to_payment", -1800, 0), ("funded", 1800, 1800)]
    assert moves[0].applied_to_payment.payment_intent == pi.id


def test_an_overpayment_leaves_the_rest_in_the_cash_balance(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer, 5000)

    _fund(client, customer, 6500, pi.next_action.display_bank_transfer_instructions.reference)

    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"
    assert _available(client, customer) == 1500
    moves = client.v1.customers.cash_balance_transactions.list(customer).data
    assert [(t.type, t.net_amount, t.ending_balance) for t in moves] == [
        ("applied_to_payment", -5000, 1500), ("funded", 6500, 6500)]


def test_without_a_reference_funds_go_to_the_exact_amount_then_the_oldest(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    oldest, exact = _transfer(client, customer, 1000), _transfer(client, customer, 3000)

    _fund(client, customer, 3000)
    after_exact = [client.v1.payment_intents.retrieve(p.id).status for p in (oldest, exact)]
    _fund(client, customer, 400)

    assert after_exact == ["requires_action", "succeeded"]
    assert _instructions(client, oldest.id).amount_remaining == 600


def test_a_balance_already_there_pays_a_new_intent_at_once(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    _fund(client, customer, 5000)

    pi = _transfer(client, customer, 2000)

    assert (pi.status, pi.amount_received, _available(client, customer)) == (
        "succeeded", 2000, 3000)


def test_canceling_a_partly_funded_intent_gives_the_funds_back(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer, 5000)
    _fund(client, customer, 1200, pi.next_action.display_bank_transfer_instructions.reference)

    canceled = client.v1.payment_intents.cancel(pi.id)

    assert (canceled.status, _available(client, customer)) == ("canceled", 1200)
    newest = client.v1.customers.cash_balance_transactions.list(customer).data[0]
    assert (newest.type, newest.net_amount, newest.unapplied_from_payment.payment_intent) == (
        "unapplied_from_payment", 1200, pi.id)


def test_refunds_go_to_the_payers_bank_and_never_above_the_charge(
        client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer, 4000)
    _fund(client, customer, 4000, pi.next_action.display_bank_transfer_instructions.reference)

    part = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1500})
    with pytest.raises(stripe.InvalidRequestError) as over:
        client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 2501})
    rest = client.v1.refunds.create(params={"payment_intent": pi.id})

    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert (part.status, part.instructions_email, part.destination_details.type) == (
        "succeeded", "buyer@example.test", "eu_bank_transfer")
    assert (over.value.code, rest.amount, charge.amount_refunded, charge.refunded) == (
        "amount_too_large", 2500, 4000, True)
    assert _available(client, customer) == 0


def test_a_refund_needs_an_email_to_ask_for_bank_details(client: stripe.StripeClient) -> None:
    customer = _customer(client, email=None)
    pi = _transfer(client, customer, 700)
    _fund(client, customer, 700, pi.next_action.display_bank_transfer_instructions.reference)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    refund = client.v1.refunds.create(params={"payment_intent": pi.id,
                                              "instructions_email": "payer@example.test"})

    assert raised.value.error.param == "instructions_email"
    assert (refund.amount, refund.instructions_email) == (700, "payer@example.test")


def test_a_replayed_confirm_keeps_one_reference(client: stripe.StripeClient) -> None:
    customer = _customer(client)
    pi = _transfer(client, customer, confirm=False)
    key = f"confirm-{uuid.uuid4()}"

    first = client.v1.payment_intents.confirm(pi.id, options={"idempotency_key": key})
    again = client.v1.payment_intents.confirm(pi.id, options={"idempotency_key": key})

    assert again.to_dict() == first.to_dict()
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert _events_of(client, pi.id) == ["payment_intent.requires_action",
                                         "payment_intent.created"]
