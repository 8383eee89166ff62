"""Pydantic models of chat moderation: a member's report of a room (shared/api.md, "Reviews
and chat"); the admin's read of a reported room answers chat_schemas.MessagePage."""

from __future__ import annotations

from typing import Annotated, Literal

from common.api.fields import PlainText
from common.api.schemas import Out, Strict

MAX_REASON_CHARS = 1000


class ReportChat(Strict):
    # Multi-line: tab and line feed are kept; any other control character is 422.
    reason: Annotated[str, PlainText(3, MAX_REASON_CHARS, multiline=True)]


class ChatReport(Out):
    id: str  # the room's
    reported: Literal[True]
