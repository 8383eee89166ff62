"""Pydantic models of the payment provider's callbacks (shared/api.md, "Orders and payments")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class StripeEvent(BaseModel):
    """A Stripe event as its webhook sends it: the door checks the Stripe-Signature header
    over the raw body; of the many fields, these three say it is an event at all."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    id: str
    object: Literal["event"]
    type: str


class WebhookReceived(BaseModel):
    """The event is recorded (now, or by an earlier delivery: `duplicate`)."""

    model_config = ConfigDict(defer_build=True)

    event_id: str
    duplicate: bool
