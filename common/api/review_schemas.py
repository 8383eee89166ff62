"""Pydantic models of reviews (shared/api.md, "Reviews and chat"): what a buyer posts or
edits, and a review as everyone reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, model_validator

from common.api.fields import PlainText, absent
from common.api.schemas import Out, Strict
from common.domain.reviews import MAX_TEXT_CHARS, MAX_TITLE_CHARS

# A whole number of stars: 4.5, "5" or true are refused (422), as the document says.
Stars = Annotated[StrictInt, Field(ge=1, le=5)]
# Markup is not refused: it is kept verbatim and only ever returned as a JSON string.
Title = Annotated[str, PlainText(1, MAX_TITLE_CHARS)]
ReviewText = Annotated[str, PlainText(1, MAX_TEXT_CHARS, multiline=True)]


class PostReview(Strict):
    rating: Stars
    title: Title
    text: ReviewText


class EditReview(Strict):
    """Any of the fields, none null."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    rating: Stars = absent()
    title: Title = absent()
    text: ReviewText = absent()

    @model_validator(mode="after")
    def _something_to_change(self) -> "EditReview":
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, object]:
        """Only the fields sent."""
        return self.model_dump(include=self.model_fields_set)


class ReviewAuthor(Out):
    id: str
    name: str = Field(description="The author's first name only.")


class ReviewReply(Out):
    text: str
    created_at: datetime


class Review(Out):
    """`title`, `text` and the reply are plain text, exactly as written (markup included):
    render them as text, never as HTML."""

    id: str
    product_id: str
    rating: int
    title: str
    text: str
    verified_purchase: Literal[True]
    created_at: datetime
    edited_at: datetime | None
    helpful_count: int
    author: ReviewAuthor
    reply: ReviewReply | None
