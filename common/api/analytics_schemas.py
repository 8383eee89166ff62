"""Pydantic models of POST /v1/analytics/events: a client's batch of analytics events, sent
to its region's anonymizer (edge_workers/anonymizer), which forwards them anonymized only."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AwareDatetime, Field, StrictBool, StrictInt

from common.api.catalog_schemas import Uuid
from common.api.fields import PlainText, absent, exact
from common.api.interaction_schemas import DeviceId
from common.api.schemas import Strict

MAX_ANALYTICS_EVENTS = 50
MAX_ANALYTICS_BODY_BYTES = 32 * 1024
PropertyName = Annotated[str, exact(r"^[a-z][a-z0-9_]{0,39}$", 40)]
PropertyValue = Union[StrictBool, StrictInt, Annotated[str, PlainText(0, 200)]]


class AnalyticsEventIn(Strict):
    """`at` within the last 24 hours (cut to the hour); `properties` outside the documented
    allow-list are dropped, not stored; `text` is scrubbed of personal data."""

    type: Literal["page_view", "product_view", "search", "add_to_cart", "remove_from_cart",
                  "wishlist_add", "checkout_started", "checkout_completed", "app_open",
                  "share", "review_started", "error"]
    at: AwareDatetime
    product_id: Uuid = absent()
    properties: Annotated[dict[PropertyName, PropertyValue], Field(max_length=20)] = absent()
    text: Annotated[str, PlainText(1, 500, multiline=True)] = absent()


class RecordAnalyticsEvents(Strict):
    """Anonymous clients name their device here or in the `X-Device-Id` header."""

    device_id: DeviceId = absent()
    events: Annotated[list[AnalyticsEventIn],
                      Field(min_length=1, max_length=MAX_ANALYTICS_EVENTS)]
