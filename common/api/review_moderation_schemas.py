"""Pydantic models of a product's review list and of what is done to a posted review:
helpful votes, the vendor's reply, reports, an admin's hide and restore
(shared/api.md, "Reviews and chat")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from common.api.fields import PlainText
from common.api.review_schemas import Review, ReviewText
from common.api.schemas import Out, PageToken, Reason, Strict
from common.domain.review_moderation import REPORT_REASON_MAX


class ReviewListQuery(Strict):
    sort: Literal["newest", "helpful"] = Field(
        "newest", description="newest: latest first; helpful: most helpful votes first, "
                              "then latest.")
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: PageToken | None = None


class ReviewPage(Out):
    items: list[Review]
    next_page_token: str | None


class ReplyToReview(Strict):
    """Plain text, kept as written (markup included)."""

    text: ReviewText


class ReportReview(Strict):
    reason: Annotated[str, PlainText(1, REPORT_REASON_MAX, multiline=True)]


class ReviewReportReceived(Out):
    review_id: str
    reported: Literal[True]


class ModerateReview(Strict):
    reason: Reason


class ModeratedReview(Out):
    id: str
    status: Literal["visible", "hidden"]
