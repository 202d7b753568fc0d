"""The help desk's policies (from configuration) and who is told what: the ``Notifier`` records
ticket news for the requester's chat and every agent channel in the outbox; nothing here sends."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from conversations.copy import text
from conversations.messages import Button, ChatRef, OutboundMessage, Platform
from conversations.models import Conversation, Ticket
from conversations.sla import SlaPolicy
from conversations.store import Store
from conversations.team import Team
from kb import Article


@dataclass(frozen=True)
class Workflow:
    """The help desk's policies, from configuration."""

    agent_chats: tuple[ChatRef, ...] = ()
    agent_lang: str = "en"
    team: Team = field(default_factory=Team)
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    assignment: str = "manual"  # manual | round_robin
    transfer_timeout: timedelta = timedelta(minutes=15)
    # Resolved tickets close after this quiet period; until then a requester's reply re-opens.
    close_after: timedelta = timedelta(days=3)
    survey_rate: float = 1.0  # share of resolved tickets that get a survey
    survey_cooldown: timedelta = timedelta(0)  # at most one survey per requester per period
    articles: Mapping[str, Article] = field(default_factory=dict)
    random: Callable[[], float] = random.random


@dataclass(frozen=True, slots=True)
class Notifier:
    """Where ticket news goes: the requester's chat (and those following the ticket) and every
    agent channel."""

    store: Store
    workflow: Workflow

    def t(self, key: str, /, **params: object) -> str:
        """Agent-channel copy, in the agent team's language."""
        return text(self.workflow.agent_lang, key, **params)

    async def requester(
        self, ticket: Ticket, key: str, /, buttons: tuple[Button, ...] = (), **params: object
    ) -> None:
        for conversation in await self.store.tickets.conversations_following(ticket):
            body = text(conversation.lang, key, **params)
            self.to_conversation(conversation, body, buttons=buttons, ticket_id=ticket.id)

    def to_conversation(
        self,
        conversation: Conversation,
        body: str,
        *,
        buttons: tuple[Button, ...] = (),
        ticket_id: int | None = None,
    ) -> None:
        chat = ChatRef(
            Platform(conversation.platform), conversation.chat_id, conversation.thread_key or None
        )
        self.store.messages.enqueue(
            OutboundMessage(
                chat=chat, text=body, buttons=buttons, ticket_id=ticket_id, lang=conversation.lang
            )
        )

    def agents(self, ticket: Ticket, body: str, *, buttons: tuple[Button, ...] = ()) -> None:
        for chat in self.workflow.agent_chats:
            self.store.messages.enqueue(
                OutboundMessage(
                    chat=chat,
                    text=body,
                    buttons=buttons,
                    ticket_id=ticket.id,
                    lang=self.workflow.agent_lang,
                ),
                in_ticket_thread=True,
            )

    def owner(self, ticket: Ticket) -> str:
        """Who has the ticket, for messages: their name, or "nobody"."""
        return ticket.assignee_name or self.t("agent.nobody")
