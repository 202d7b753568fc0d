"""The ticket workflow: opening tickets, and the agent commands that work them.

One command set, parsed once, serves every agent surface (web console, CLI, and the Slack and
Telegram adapters): ``claim 12``, ``reply 12 text``... The functions here take a ``Repository``
and a ``Notifier`` and return what to answer the agent; they never send anything themselves.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from conversations.copy import text
from conversations.messages import Button, ChatRef, OutboundMessage, Platform, Reply, UserRef
from conversations.models import Conversation, Person, Ticket
from conversations.repository import ACTIVE, Repository

SUBJECT_LENGTH = 80


@dataclass(frozen=True, slots=True)
class Notifier:
    """Where ticket news goes: the requester's chat and every agent channel."""

    repo: Repository
    agent_chats: tuple[ChatRef, ...]
    agent_lang: str = "en"

    def t(self, key: str, /, **params: object) -> str:
        """Agent-channel copy, in the agent team's language."""
        return text(self.agent_lang, key, **params)

    async def requester(self, ticket: Ticket, key: str, /, **params: object) -> None:
        conversation = await self.repo.conversation_by_id(ticket.conversation_id)
        body = text(conversation.lang, key, **params)
        self.to_conversation(conversation, body, ticket_id=ticket.id)

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
                chat=chat,
                text=body,
                buttons=buttons,
                ticket_id=ticket_id,
                lang=conversation.lang,
            )
        )

    def agents(self, ticket: Ticket, body: str, *, buttons: tuple[Button, ...] = ()) -> None:
        for chat in self.agent_chats:
            self.repo.enqueue(
                OutboundMessage(
                    chat=chat, text=body, buttons=buttons, ticket_id=ticket.id, lang=self.agent_lang
                ),
                in_ticket_thread=True,
            )


def subject_of(description: str) -> str:
    # One line: a question completed after "tell me more" spans several short ones.
    line = " ".join(description.split())
    if len(line) <= SUBJECT_LENGTH:
        return line
    return line[: SUBJECT_LENGTH - 1].rstrip() + "…"


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
    repo.add_ticket(ticket)
    await repo.session.flush()
    await repo.link_suggestions(conversation.id, description, ticket.id)
    repo.add_entry(
        ticket.id, "requester", person.display_name or person.platform_user_id, description
    )
    repo.audit(ticket.id, person.display_name or person.platform_user_id, "created", None, "new")
    faqs = await repo.faqs_tried(ticket.id)
    notify.agents(
        ticket,
        notify.t(
            "agent.new_ticket",
            id=ticket.id,
            priority=priority,
            requester=person.display_name or person.platform_user_id,
            channel=conversation.platform,
            description=description,
            faqs=", ".join(faqs) if faqs else notify.t("agent.no_faqs"),
        ),
        buttons=(Button(notify.t("button.claim"), "claim", str(ticket.id), "primary"),),
    )
    return ticket


# -- agent commands ------------------------------------------------------------------------------


class CommandError(Exception):
    """A known failure of an agent command; its message is safe to show the agent."""


_TICKET = re.compile(r"#?(\d{1,9})$")


def _ticket_number(ctx: AgentContext, token: str, usage_key: str) -> int:
    match = _TICKET.match(token)
    if not token:
        raise CommandError(ctx.t(usage_key))
    if not match:
        usage = ctx.t(usage_key)
        raise CommandError(ctx.t("agent.bad_ticket_number", token=token, usage=usage))
    return int(match.group(1))


def _split(args: str) -> tuple[str, str]:
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


@dataclass(frozen=True, slots=True)
class AgentContext:
    repo: Repository
    notify: Notifier
    agent: UserRef

    @property
    def key(self) -> str:
        return self.agent.key

    @property
    def name(self) -> str:
        return self.agent.name

    def t(self, key: str, /, **params: object) -> str:
        return self.notify.t(key, **params)

    async def ticket(self, number: int) -> Ticket:
        ticket = await self.repo.ticket(number)
        if ticket is None:
            raise CommandError(self.t("agent.no_such_ticket", id=number))
        return ticket


AgentCommand = Callable[[AgentContext, str], Awaitable[str]]


async def cmd_help(ctx: AgentContext, args: str) -> str:
    return ctx.t("agent.help")


async def cmd_queue(ctx: AgentContext, args: str) -> str:
    view = args.strip().lower() or "all"
    if view not in ("all", "mine", "unassigned", "urgent"):
        raise CommandError(ctx.t("agent.usage.queue"))
    tickets = await ctx.repo.queue(f"mine:{ctx.key}" if view == "mine" else view)
    if not tickets:
        return ctx.t("agent.queue_empty")
    lines = [
        ctx.t(
            "agent.queue_line",
            id=t.id,
            priority=t.priority,
            status=t.status,
            subject=t.subject,
            assignee=t.assignee_name or "-",
        )
        for t in tickets
    ]
    return "\n".join(lines)


async def cmd_show(ctx: AgentContext, args: str) -> str:
    number = _ticket_number(ctx, args.strip(), "agent.usage.show")
    ticket = await ctx.ticket(number)
    requester = await ctx.repo.person_by_id(ticket.requester_id)
    lines = [
        ctx.t(
            "agent.show_header",
            id=ticket.id,
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            requester=requester.display_name or requester.platform_user_id,
            channel=ticket.channel,
            assignee=ticket.assignee_name or "-",
        )
    ]
    for entry in await ctx.repo.entries(ticket.id):
        lines.append(f"[{entry.kind}] {entry.author}: {entry.text}")
    return "\n".join(lines)


async def cmd_claim(ctx: AgentContext, args: str) -> str:
    number = _ticket_number(ctx, args.strip(), "agent.usage.claim")
    ticket = await ctx.ticket(number)
    if await take(ctx, ticket):
        await ctx.notify.requester(ticket, "requester.claimed", agent=ctx.name, id=number)
        ctx.notify.agents(ticket, ctx.t("agent.claimed_notice", id=number, agent=ctx.name))
        return ctx.t("agent.claimed", id=number)
    if ticket.status not in ACTIVE:
        raise CommandError(ctx.t("agent.wrong_state", id=number, status=ticket.status))
    if ticket.assignee_key == ctx.key:
        return ctx.t("agent.already_yours", id=number)
    if ticket.assignee_key is not None:
        raise CommandError(ctx.t("agent.taken", id=number, agent=ticket.assignee_name))
    raise CommandError(ctx.t("agent.wrong_state", id=number, status=ticket.status))


async def take(ctx: AgentContext, ticket: Ticket) -> bool:
    """Make the agent the owner of an unassigned active ticket, auditing both changes. False
    (and ``ticket`` refreshed) when someone else got there first or it is not claimable."""
    previous = ticket.status
    won = await ctx.repo.claim(ticket.id, previous, ctx.key, ctx.name)
    await ctx.repo.session.refresh(ticket)
    if won:
        ctx.repo.audit(ticket.id, ctx.name, "assigned", None, ctx.name)
        if previous != ticket.status:
            ctx.repo.audit(ticket.id, ctx.name, "status", previous, ticket.status)
    return won


async def cmd_reply(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    number = _ticket_number(ctx, head, "agent.usage.reply")
    if not body:
        raise CommandError(ctx.t("agent.usage.reply"))
    return await reply_to_requester(ctx, await ctx.ticket(number), body)


async def reply_to_requester(ctx: AgentContext, ticket: Ticket, body: str) -> str:
    if ticket.status == "closed":
        raise CommandError(ctx.t("agent.wrong_state", id=ticket.id, status=ticket.status))
    if ticket.assignee_key is None and ticket.status in ACTIVE:
        # Answering a ticket takes it, so nobody else picks it up at the same time.
        await take(ctx, ticket)
    ctx.repo.add_entry(ticket.id, "agent", ctx.name, body)
    if ticket.first_response_at is None:
        ticket.first_response_at = ctx.repo.now
    ticket.updated_at = ctx.repo.now
    await ctx.notify.requester(
        ticket, "requester.agent_reply", agent=ctx.name, id=ticket.id, text=body
    )
    ctx.notify.agents(ticket, ctx.t("agent.reply_notice", id=ticket.id, agent=ctx.name, text=body))
    return ctx.t("agent.replied", id=ticket.id)


async def cmd_note(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    number = _ticket_number(ctx, head, "agent.usage.note")
    if not body:
        raise CommandError(ctx.t("agent.usage.note"))
    return await add_note(ctx, await ctx.ticket(number), body)


async def add_note(ctx: AgentContext, ticket: Ticket, body: str) -> str:
    ctx.repo.add_entry(ticket.id, "note", ctx.name, body)
    ticket.updated_at = ctx.repo.now
    ctx.notify.agents(ticket, ctx.t("agent.note_notice", id=ticket.id, agent=ctx.name, text=body))
    return ctx.t("agent.noted", id=ticket.id)


async def cmd_resolve(ctx: AgentContext, args: str) -> str:
    head, summary = _split(args)
    number = _ticket_number(ctx, head, "agent.usage.resolve")
    ticket = await ctx.ticket(number)
    if ticket.status not in ACTIVE:
        raise CommandError(ctx.t("agent.wrong_state", id=number, status=ticket.status))
    previous = ticket.status
    ticket.status = "resolved"
    ticket.resolved_at = ticket.updated_at = ctx.repo.now
    ticket.resolution = summary or None
    if ticket.assignee_key is None:
        ticket.assignee_key, ticket.assignee_name = ctx.key, ctx.name
        ctx.repo.audit(number, ctx.name, "assigned", None, ctx.name)
    ctx.repo.audit(number, ctx.name, "status", previous, "resolved")
    ctx.repo.add_entry(
        number,
        "system",
        ctx.name,
        ctx.t("agent.resolved_entry", agent=ctx.name, summary=summary or "-"),
    )
    key = "requester.resolved_summary" if summary else "requester.resolved"
    await ctx.notify.requester(ticket, key, id=number, agent=ctx.name, summary=summary)
    ctx.notify.agents(ticket, ctx.t("agent.resolved_notice", id=number, agent=ctx.name))
    return ctx.t("agent.resolved", id=number)


COMMANDS: dict[str, AgentCommand] = {
    "help": cmd_help,
    "queue": cmd_queue,
    "list": cmd_queue,
    "show": cmd_show,
    "claim": cmd_claim,
    "reply": cmd_reply,
    "note": cmd_note,
    "resolve": cmd_resolve,
}


async def run_agent_command(ctx: AgentContext, name: str, args: str) -> Reply:
    command = COMMANDS.get(name.lower())
    if command is None:
        return Reply(ctx.t("agent.unknown_command", name=name), ok=False)
    try:
        return Reply(await command(ctx, args))
    except CommandError as error:
        return Reply(str(error), ok=False)
