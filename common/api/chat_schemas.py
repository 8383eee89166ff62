"""Pydantic models of the chat API (shared/api.md, "Reviews and chat")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from common.api.fields import PlainText, absent, exact
from common.api.schemas import Out, PageToken, Strict
from common.domain.chat import MAX_MESSAGE_CHARS, SORT_KEY

# A message's sort key, as `next_page_token` of the page before handed it out.
Before = Annotated[str, exact(SORT_KEY.pattern, 64)]


class SendMessage(Strict):
    # Multi-line: tab and line feed are kept; any other control character is 422.
    text: Annotated[str, PlainText(1, MAX_MESSAGE_CHARS, multiline=True)]


class ChatListQuery(Strict):
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    page_token: PageToken = absent()


class MessageListQuery(Strict):
    page_size: Annotated[int, Field(ge=1, le=100)] = 20
    before: Before = absent()


class ChatMessage(Out):
    id: str
    kind: Literal["text", "system"]
    sender_id: str | None
    text: str
    order_id: str | None
    sent_at: datetime


class OtherParty(Out):
    id: str
    name: str


class Chat(Out):
    id: str
    other_party: OtherParty
    order_ids: list[str]
    last_message: ChatMessage | None
    last_message_at: datetime | None
    unread: int


class ChatPage(Out):
    items: list[Chat]
    next_page_token: str | None


class MessagePage(Out):
    items: list[ChatMessage]
    # The `before` of the next (older) page; null on the oldest.
    next_page_token: str | None
