"""The ticket workflow: opening tickets, moving them through their lifecycle, and telling people.

    new -> open (claimed) -> pending (waiting on the requester) -> resolved -> closed

A requester's reply re-opens a pending or recently resolved ticket; resolved tickets close after a
quiet period (``timers.py``). Every change of owner, status or priority is written to the audit
trail (``ticket_events``). The functions here record what to say in the outbox and never send.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from conversations.copy import text
from conversations.messages import Button, ChatRef, OutboundMessage, Platform
from conversations.models import Agent, Conversation, Person, Ticket
from conversations.repository import ACTIVE, Repository
from conversations.sla import SlaPolicy
from conversations.team import Member, Team
from kb import Article

SUBJECT_LENGTH = 80


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

    repo: Repository
    workflow: Workflow

    def t(self, key: str, /, **params: object) -> str:
        """Agent-channel copy, in the agent team's language."""
        return text(self.workflow.agent_lang, key, **params)

    async def requester(
        self, ticket: Ticket, key: str, /, buttons: tuple[Button, ...] = (), **params: object
    ) -> None:
        for conversation in await self.repo.conversations_following(ticket):
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
        self.repo.enqueue(
            OutboundMessage(
                chat=chat, text=body, buttons=buttons, ticket_id=ticket_id, lang=conversation.lang
            )
        )

    def agents(self, ticket: Ticket, body: str, *, buttons: tuple[Button, ...] = ()) -> None:
        for chat in self.workflow.agent_chats:
            self.repo.enqueue(
                OutboundMessage(
                    chat=chat,
                    text=body,
                    buttons=buttons,
                    ticket_id=ticket.id,
                    lang=self.workflow.agent_lang,
                ),
                in_ticket_thread=True,
            )


def subject_of(description: str) -> str:
    # One line: a question completed after "tell me more" spans several short ones.
    line = " ".join(description.split())
    if len(line) <= SUBJECT_LENGTH:
        return line
    return line[: SUBJECT_LENGTH - 1].rstrip() + "…"


def display(person: Person) -> str:
    return person.display_name or person.platform_user_id


def member_name(member: Member, known: Agent | None) -> str:
    """A team member's name: from the team file, else as the desk last saw them, else the key."""
    return member.name or (known.name if known is not None else member.who)


def current_owner(notify: Notifier, ticket: Ticket) -> str:
    return ticket.assignee_name or notify.t("agent.nobody")


async def open_ticket(
    repo: Repository,
    notify: Notifier,
    conversation: Conversation,
    person: Person,
    description: str,
    priority: str,
) -> Ticket:
    ticket = Ticket(
        conversation_id=conversation.id,
        requester_id=person.id,
        subject=subject_of(description),
        description=description,
        channel=conversation.platform,
        priority=priority,
        status="new",
        lang=conversation.lang,
        created_at=repo.now,
        updated_at=repo.now,
    )
    notify.workflow.sla.apply(ticket)
    repo.add_ticket(ticket)
    await repo.session.flush()
    await repo.link_suggestions(conversation.id, description, ticket.id)
    repo.add_entry(ticket.id, "requester", display(person), description)
    repo.audit(ticket.id, display(person), "created", None, "new")
    faqs = await repo.faqs_tried(ticket.id)
    notify.agents(
        ticket,
        notify.t(
            "agent.new_ticket",
            id=ticket.id,
            priority=priority,
            requester=display(person),
            channel=conversation.platform,
            description=description,
            faqs=", ".join(faqs) if faqs else notify.t("agent.no_faqs"),
        ),
        buttons=(Button(notify.t("button.claim"), "claim", str(ticket.id), "primary"),),
    )
    return ticket


async def assign_round_robin(repo: Repository, notify: Notifier, ticket: Ticket) -> None:
    """Give a new ticket to the available agent who was assigned least recently and is under
    their capacity. Nobody available: it waits in the queue for a claim. Call it after the
    requester was told the ticket number, so they hear who took it second."""
    if notify.workflow.assignment != "round_robin":
        return
    team = notify.workflow.team
    known = {agent.key: agent for agent in await repo.agents()}
    if team.open:
        candidates = [(key, agent.name) for key, agent in known.items()]
    else:
        candidates = [(m.who, member_name(m, known.get(m.who))) for m in team.individuals()]
    ranked = []
    for key, name in candidates:
        agent = known.get(key)
        if agent is not None and not agent.available:
            continue
        capacity = team.capacity_of(key)
        if capacity is not None and await repo.open_tickets_of(key) >= capacity:
            continue
        last = agent.last_assigned_at if agent is not None else None
        ranked.append((last is not None, last, key, name))
    for _, _, key, name in sorted(ranked):
        if await take(repo, ticket, key, name, actor="round-robin"):
            await notify.requester(ticket, "requester.claimed", agent=name, id=ticket.id)
            notify.agents(
                ticket,
                notify.t("agent.assigned_notice", id=ticket.id, agent=name, by="round-robin"),
            )
            return


async def take(
    repo: Repository, ticket: Ticket, key: str, name: str, *, actor: str | None = None
) -> bool:
    """Make the agent ``key`` the owner of an unassigned active ticket, auditing both changes
    as done by ``actor`` (the agent themself unless given). False (and ``ticket`` refreshed)
    when someone else got there first or it is not claimable."""
    actor = actor or name
    previous = ticket.status
    won = await repo.claim(ticket.id, previous, key, name)
    await repo.session.refresh(ticket)
    if won:
        await repo.touch_agent(key, name, assigned=True)
        repo.audit(ticket.id, actor, "assigned", None, name)
        if previous != ticket.status:
            repo.audit(ticket.id, actor, "status", previous, ticket.status)
    return won


def set_owner(
    repo: Repository, ticket: Ticket, key: str | None, name: str | None, actor: str
) -> None:
    repo.audit(ticket.id, actor, "assigned", ticket.assignee_name, name)
    ticket.assignee_key, ticket.assignee_name = key, name
    ticket.updated_at = repo.now
    wanted = ("open" if key else "new") if ticket.status in ("new", "open") else ticket.status
    set_status(repo, ticket, wanted, actor)


def set_status(repo: Repository, ticket: Ticket, status: str, actor: str) -> None:
    if ticket.status == status:
        return
    repo.audit(ticket.id, actor, "status", ticket.status, status)
    ticket.status = status
    ticket.updated_at = repo.now
    if status == "resolved":
        ticket.resolved_at = repo.now
    elif status == "closed":
        ticket.closed_at = repo.now
    elif status in ACTIVE:
        ticket.resolved_at = ticket.closed_at = None


async def reopen(repo: Repository, notify: Notifier, ticket: Ticket, actor: str) -> None:
    set_status(repo, ticket, "open" if ticket.assignee_key else "new", actor)
    notify.agents(ticket, notify.t("agent.reopened_notice", id=ticket.id, by=actor))
    await notify.requester(ticket, "ticket_reopened", id=ticket.id)


def first_response(repo: Repository, ticket: Ticket) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = repo.now
    ticket.updated_at = repo.now
