"""Conversations (one chat, or one thread of a chat, with a requester) and the FAQ suggestions
shown in them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from conversations.messages import ChatRef
from conversations.models import Conversation, Person, Suggestion
from conversations.state import ConversationState
from conversations.store.base import Repository


class Conversations(Repository):
    __slots__ = ()

    async def of_chat(self, chat: ChatRef, person: Person, lang: str) -> Conversation:
        """The conversation in ``chat``, started (in ``lang``) on its first message."""
        conversation = await self.session.scalar(
            select(Conversation).where(
                Conversation.platform == chat.platform,
                Conversation.chat_id == chat.chat_id,
                Conversation.thread_key == (chat.thread_id or ""),
            )
        )
        if conversation is None:
            conversation = Conversation(
                platform=chat.platform,
                chat_id=chat.chat_id,
                thread_key=chat.thread_id or "",
                person_id=person.id,
                state=ConversationState.IDLE,
                question="",
                lang=lang,
                greeted=False,
                created_at=self.now,
                updated_at=self.now,
            )
            self.session.add(conversation)
            await self.session.flush()
        return conversation

    async def get(self, conversation_id: int) -> Conversation:
        conversation = await self.session.get(Conversation, conversation_id)
        assert conversation is not None, "tickets always have a conversation"
        return conversation

    # -- suggestions ----------------------------------------------------------------------------

    async def add_suggestion(self, suggestion: Suggestion) -> None:
        self.session.add(suggestion)
        await self.session.flush()

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        return await self.session.get(Suggestion, suggestion_id)

    async def open_suggestions(self, conversation_id: int) -> Sequence[Suggestion]:
        rows = await self.session.scalars(
            select(Suggestion)
            .where(Suggestion.conversation_id == conversation_id, Suggestion.outcome.is_(None))
            .order_by(Suggestion.id)
        )
        return rows.all()

    async def link_suggestions(self, conversation_id: int, query: str, ticket_id: int) -> None:
        """Attach the suggestions shown for ``query`` to the ticket it became ("FAQs tried")."""
        await self.session.execute(
            update(Suggestion)
            .where(
                Suggestion.conversation_id == conversation_id,
                Suggestion.query == query,
                Suggestion.ticket_id.is_(None),
            )
            .values(ticket_id=ticket_id)
        )

    async def faqs_tried(self, ticket_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Suggestion.article_id)
            .where(Suggestion.ticket_id == ticket_id)
            .order_by(Suggestion.id)
        )
        return list(dict.fromkeys(rows.all()))
