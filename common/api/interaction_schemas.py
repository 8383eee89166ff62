"""Pydantic models of POST /v1/interactions (shared/api.md, "Promotions and personalization"):
a client's batch of view, click, add_to_cart, dwell and search events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt

from common.api.catalog_schemas import Uuid
from common.api.fields import PlainText, absent, exact
from common.api.schemas import Strict
from common.domain.interactions import MAX_DWELL_MS, MAX_EVENTS, MAX_QUERY_CHARS

# A client-generated id of the device (a UUID is fine): never stored, only its pseudonym.
DEVICE_ID_PATTERN = r"^[A-Za-z0-9._:-]{8,128}$"
DeviceId = Annotated[str, exact(DEVICE_ID_PATTERN, 128)]


class InteractionIn(Strict):
    """`product_id` for all but a search; `query` for a search only; `dwell_ms` for a dwell
    only; `at` within the last 24 hours (at most 5 minutes ahead)."""

    type: Literal["view", "click", "add_to_cart", "dwell", "search"]
    at: AwareDatetime
    product_id: Uuid = absent()
    query: Annotated[str, PlainText(1, MAX_QUERY_CHARS)] = absent()
    dwell_ms: Annotated[StrictInt, Field(ge=1, le=MAX_DWELL_MS)] = absent()


class RecordInteractions(Strict):
    """Anonymous clients name their device here or in the `X-Device-Id` header."""

    device_id: DeviceId = absent()
    events: Annotated[list[InteractionIn], Field(min_length=1, max_length=MAX_EVENTS)]
