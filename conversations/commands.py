"""Agent commands: one command set, parsed once, for every agent surface (the web console, the
CLI, a Slack slash command, a Telegram group command): ``claim 12``, ``reply 12 text``...

Each command checks the agent's role, runs inside a savepoint (a refused command changes
nothing), and answers the agent with a ``Reply``; what the requester and the agent channel are
told goes through the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from conversations import surveys
from conversations.messages import Button, Reply, UserRef
from conversations.models import Ticket, Transfer
from conversations.priority import PRIORITIES
from conversations.repository import ACTIVE, Repository
from conversations.team import Role
from conversations.tickets import (
    Notifier,
    current_owner,
    first_response,
    member_name,
    reopen,
    set_owner,
    set_status,
    take,
)

QUEUE_VIEWS = ("all", "mine", "unassigned", "urgent", "pending", "breached")
_TICKET = re.compile(r"#?(\d{1,9})$")
_CONVERSATION_LINES = 10  # how much of the conversation a transfer summary carries


class CommandError(Exception):
    """A known failure of an agent command; its message is safe to show the agent."""


@dataclass(frozen=True, slots=True)
class AgentContext:
    repo: Repository
    notify: Notifier
    agent: UserRef
    role: Role

    @property
    def key(self) -> str:
        return self.agent.key

    @property
    def name(self) -> str:
        return self.agent.name

    def t(self, key: str, /, **params: object) -> str:
        return self.notify.t(key, **params)

    def fail(self, key: str, /, **params: object) -> CommandError:
        return CommandError(self.t(key, **params))

    async def ticket(self, token: str, usage: str) -> Ticket:
        """The ticket a ``12`` or ``#12`` argument names."""
        if not token:
            raise self.fail(usage)
        match = _TICKET.match(token)
        if not match:
            raise self.fail("agent.bad_ticket_number", token=token, usage=self.t(usage))
        ticket = await self.repo.ticket(int(match.group(1)))
        if ticket is None:
            raise self.fail("agent.no_such_ticket", id=match.group(1))
        return ticket

    def require_active(self, ticket: Ticket) -> None:
        if ticket.status not in ACTIVE:
            raise self.fail("agent.wrong_state", id=ticket.id, status=ticket.status)

    def require_owner_or_lead(self, ticket: Ticket) -> None:
        """Changing who has a ticket is for its owner (or anyone while unassigned) and leads."""
        if ticket.assignee_key not in (None, self.key) and self.role < Role.LEAD:
            raise self.fail("agent.not_yours", id=ticket.id, agent=ticket.assignee_name)


def _split(args: str) -> tuple[str, str]:
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


@dataclass(frozen=True, slots=True)
class Target:
    """Who a transfer or assignment names: an agent (key and name) or a team."""

    key: str | None = None
    name: str | None = None
    team: str | None = None


async def _target(ctx: AgentContext, handle: str, *, teams: bool) -> Target:
    handle = handle.strip()
    name = handle.removeprefix("@")
    if not name:
        raise ctx.fail("agent.usage.transfer" if teams else "agent.usage.assign")
    team = ctx.notify.workflow.team
    if teams and name in team.team_names:
        return Target(team=name)
    member = team.find(name)
    if member is not None:
        return Target(member.who, member_name(member, await ctx.repo.agent(member.who)))
    # Someone the desk has seen work tickets, named as they named themselves: anyone while the
    # desk is open, else only a member (found above by key or team-file name).
    agent = await ctx.repo.agent_named(name)
    if agent is not None and (team.open or team.find(agent.key) is not None):
        return Target(agent.key, agent.name)
    raise ctx.fail("agent.unknown_target", handle=handle)


# -- looking around ----------------------------------------------------------------------------


async def cmd_help(ctx: AgentContext, args: str) -> str:
    return ctx.t("agent.help")


async def cmd_queue(ctx: AgentContext, args: str) -> str:
    view = args.strip().lower() or "all"
    teams = ctx.notify.workflow.team.team_names
    if view not in QUEUE_VIEWS and view not in teams:
        raise ctx.fail("agent.usage.queue")
    if view == "mine":
        view = f"mine:{ctx.key}"
    elif view in teams:
        view = f"team:{view}"
    tickets = await ctx.repo.queue(view)
    if not tickets:
        return ctx.t("agent.queue_empty")
    return "\n".join(
        ctx.t(
            "agent.queue_line",
            id=t.id,
            priority=t.priority,
            status=t.status,
            subject=t.subject,
            assignee=t.assignee_name or "-",
        )
        for t in tickets
    )


async def cmd_show(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.show")
    return "\n".join(await _summary(ctx, ticket, entries=None))


async def _summary(ctx: AgentContext, ticket: Ticket, *, entries: int | None) -> list[str]:
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
    if ticket.status in ACTIVE:
        lines.append(_sla_line(ctx, ticket))
    faqs = await ctx.repo.faqs_tried(ticket.id)
    lines.append(ctx.t("agent.faqs_tried", faqs=", ".join(faqs) or ctx.t("agent.no_faqs")))
    transfer = await ctx.repo.pending_transfer(ticket.id)
    if transfer is not None:
        lines.append(
            ctx.t(
                "agent.transfer_pending",
                to=transfer.to_name or transfer.to_team,
                by=transfer.from_name,
            )
        )
    log = list(await ctx.repo.entries(ticket.id))
    if entries is not None:
        log = log[-entries:]
    lines.extend(f"[{e.kind}] {e.author}: {e.text}" for e in log)
    return lines


def _sla_line(ctx: AgentContext, ticket: Ticket) -> str:
    def clock(due: datetime | None) -> str:
        if due is None:
            return "-"
        minutes = round((due - ctx.repo.now).total_seconds() / 60)
        if minutes < 0:
            return ctx.t("agent.sla_overdue", minutes=-minutes)
        return ctx.t("agent.sla_left", minutes=minutes)

    first = (
        ctx.t("agent.sla_met") if ticket.first_response_at else clock(ticket.first_response_due_at)
    )
    return ctx.t("agent.sla_line", first=first, resolution=clock(ticket.resolution_due_at))


# -- ownership ---------------------------------------------------------------------------------


async def cmd_claim(ctx: AgentContext, args: str) -> str:
    if not args.strip():
        return await _claim_next(ctx)
    ticket = await ctx.ticket(args.strip(), "agent.usage.claim")
    if await take(ctx.repo, ticket, ctx.key, ctx.name):
        await _claimed(ctx, ticket)
        return ctx.t("agent.claimed", id=ticket.id)
    ctx.require_active(ticket)
    if ticket.assignee_key == ctx.key:
        return ctx.t("agent.already_yours", id=ticket.id)
    if ticket.assignee_key is not None:
        raise ctx.fail("agent.taken", id=ticket.id, agent=ticket.assignee_name)
    raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)


async def _claim_next(ctx: AgentContext) -> str:
    """The most pressing unassigned ticket: priority, then SLA due time, then age. Another agent
    may take it at the same moment: then the next one."""
    for ticket in await ctx.repo.queue("unassigned"):
        if await take(ctx.repo, ticket, ctx.key, ctx.name):
            await _claimed(ctx, ticket)
            return ctx.t("agent.claimed", id=ticket.id)
    return ctx.t("agent.nothing_to_claim")


async def _claimed(ctx: AgentContext, ticket: Ticket) -> None:
    await ctx.notify.requester(ticket, "requester.claimed", agent=ctx.name, id=ticket.id)
    ctx.notify.agents(ticket, ctx.t("agent.claimed_notice", id=ticket.id, agent=ctx.name))


async def cmd_unclaim(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.unclaim")
    ctx.require_active(ticket)
    if ticket.assignee_key is None:
        raise ctx.fail("agent.not_assigned", id=ticket.id)
    ctx.require_owner_or_lead(ticket)
    await _cancel_transfer(ctx, ticket)
    set_owner(ctx.repo, ticket, None, None, ctx.name)
    ctx.notify.agents(ticket, ctx.t("agent.unclaimed_notice", id=ticket.id, agent=ctx.name))
    return ctx.t("agent.unclaimed", id=ticket.id)


async def cmd_assign(ctx: AgentContext, args: str) -> str:
    head, handle = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.assign")
    if not handle:
        raise ctx.fail("agent.usage.assign")
    ctx.require_active(ticket)
    target = await _target(ctx, handle, teams=False)
    if ticket.assignee_key == target.key:
        return ctx.t("agent.already_assigned", id=ticket.id, agent=target.name)
    await _cancel_transfer(ctx, ticket)
    set_owner(ctx.repo, ticket, target.key, target.name, ctx.name)
    assert target.key is not None and target.name is not None
    await ctx.repo.touch_agent(target.key, target.name, assigned=True)
    await ctx.notify.requester(ticket, "requester.claimed", agent=target.name, id=ticket.id)
    ctx.notify.agents(
        ticket, ctx.t("agent.assigned_notice", id=ticket.id, agent=target.name, by=ctx.name)
    )
    return ctx.t("agent.assigned", id=ticket.id, agent=target.name)


async def cmd_transfer(ctx: AgentContext, args: str) -> str:
    head, rest = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.transfer")
    handle, note = _split(rest)
    if not handle:
        raise ctx.fail("agent.usage.transfer")
    ctx.require_active(ticket)
    ctx.require_owner_or_lead(ticket)
    if await ctx.repo.pending_transfer(ticket.id) is not None:
        raise ctx.fail("agent.transfer_exists", id=ticket.id)
    target = await _target(ctx, handle, teams=True)
    if target.key == ctx.key:
        raise ctx.fail("agent.transfer_to_self")
    transfer = Transfer(
        ticket_id=ticket.id,
        from_key=ctx.key,
        from_name=ctx.name,
        to_key=target.key,
        to_name=target.name,
        to_team=target.team,
        note=note,
        status="pending",
        created_at=ctx.repo.now,
        expires_at=ctx.repo.now + ctx.notify.workflow.transfer_timeout,
    )
    ctx.repo.add_transfer(transfer)
    ctx.repo.audit(ticket.id, ctx.name, "transfer", ctx.name, target.name or target.team)
    to = target.name or ctx.t("agent.team", team=target.team)
    minutes = round(ctx.notify.workflow.transfer_timeout.total_seconds() / 60)
    summary = await _summary(ctx, ticket, entries=_CONVERSATION_LINES)
    ctx.notify.agents(
        ticket,
        "\n".join(
            [
                ctx.t(
                    "agent.transfer_offer",
                    id=ticket.id,
                    to=to,
                    by=ctx.name,
                    owner=current_owner(ctx.notify, ticket),
                    minutes=minutes,
                ),
                ctx.t("agent.transfer_note", note=note or "-"),
                *summary,
            ]
        ),
        buttons=(
            Button(ctx.t("button.accept"), "accept", str(ticket.id), "primary"),
            Button(ctx.t("button.decline"), "decline", str(ticket.id)),
        ),
    )
    return ctx.t("agent.transfer_sent", id=ticket.id, to=to, minutes=minutes)


async def _pending_for_me(ctx: AgentContext, ticket: Ticket) -> Transfer:
    transfer = await ctx.repo.pending_transfer(ticket.id)
    # Past its deadline it is as good as expired, whether or not the timer has run yet.
    if transfer is None or transfer.expires_at <= ctx.repo.now:
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    team = ctx.notify.workflow.team
    if transfer.from_key == ctx.key:  # a sender in the team they transfer to
        raise ctx.fail("agent.transfer_not_for_you", id=ticket.id)
    mine = transfer.to_key == ctx.key or (
        transfer.to_team is not None and (team.open or transfer.to_team in team.teams_of(ctx.agent))
    )
    if not mine:
        raise ctx.fail("agent.transfer_not_for_you", id=ticket.id)
    return transfer


async def cmd_accept(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.accept")
    transfer = await _pending_for_me(ctx, ticket)
    if not await ctx.repo.decide_transfer(transfer.id, "accepted"):
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    ctx.require_active(ticket)
    set_owner(ctx.repo, ticket, ctx.key, ctx.name, ctx.name)
    if transfer.to_team:
        ticket.team = transfer.to_team
    await ctx.repo.touch_agent(ctx.key, ctx.name, assigned=True)
    await ctx.notify.requester(ticket, "requester.claimed", agent=ctx.name, id=ticket.id)
    ctx.notify.agents(
        ticket,
        ctx.t("agent.transfer_accepted", id=ticket.id, agent=ctx.name, by=transfer.from_name),
    )
    return ctx.t("agent.transfer_accepted_you", id=ticket.id)


async def cmd_decline(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.decline")
    transfer = await _pending_for_me(ctx, ticket)
    if not await ctx.repo.decide_transfer(transfer.id, "declined"):
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    # It stays with whoever owns it, which is not the sender when a lead made the transfer.
    owner = current_owner(ctx.notify, ticket)
    ctx.repo.audit(ticket.id, ctx.name, "transfer_declined", None, owner)
    ctx.notify.agents(
        ticket,
        ctx.t("agent.transfer_declined", id=ticket.id, agent=ctx.name, owner=owner),
    )
    return ctx.t("agent.transfer_declined_you", id=ticket.id, owner=owner)


async def _cancel_transfer(ctx: AgentContext, ticket: Ticket) -> None:
    transfer = await ctx.repo.pending_transfer(ticket.id)
    if transfer is not None:
        await ctx.repo.decide_transfer(transfer.id, "cancelled")


# -- working the ticket ------------------------------------------------------------------------


async def cmd_priority(ctx: AgentContext, args: str) -> str:
    head, level = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.priority")
    level = level.lower()
    if level not in PRIORITIES:
        raise ctx.fail("agent.usage.priority")
    ctx.require_active(ticket)
    if ticket.priority == level:
        return ctx.t("agent.priority_unchanged", id=ticket.id, priority=level)
    ctx.repo.audit(ticket.id, ctx.name, "priority", ticket.priority, level)
    ticket.priority = level
    ticket.updated_at = ctx.repo.now
    ctx.notify.workflow.sla.apply(ticket)
    ctx.notify.agents(
        ticket, ctx.t("agent.priority_changed", id=ticket.id, priority=level, agent=ctx.name)
    )
    return ctx.t("agent.priority_set", id=ticket.id, priority=level)


async def cmd_reply(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.reply")
    if not body:
        raise ctx.fail("agent.usage.reply")
    return await reply_to_requester(ctx, ticket, body)


async def reply_to_requester(ctx: AgentContext, ticket: Ticket, body: str) -> str:
    if ticket.status == "closed":
        raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)
    if ticket.assignee_key is None and ticket.status in ACTIVE:
        # Answering a ticket takes it, so nobody else picks it up at the same time.
        await take(ctx.repo, ticket, ctx.key, ctx.name)
    ctx.repo.add_entry(ticket.id, "agent", ctx.name, body)
    first_response(ctx.repo, ticket)
    await ctx.notify.requester(
        ticket, "requester.agent_reply", agent=ctx.name, id=ticket.id, text=body
    )
    ctx.notify.agents(ticket, ctx.t("agent.reply_notice", id=ticket.id, agent=ctx.name, text=body))
    return ctx.t("agent.replied", id=ticket.id)


async def cmd_note(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.note")
    if not body:
        raise ctx.fail("agent.usage.note")
    return await add_note(ctx, ticket, body)


async def add_note(ctx: AgentContext, ticket: Ticket, body: str) -> str:
    ctx.repo.add_entry(ticket.id, "note", ctx.name, body)
    ticket.updated_at = ctx.repo.now
    ctx.notify.agents(ticket, ctx.t("agent.note_notice", id=ticket.id, agent=ctx.name, text=body))
    return ctx.t("agent.noted", id=ticket.id)


async def cmd_faq(ctx: AgentContext, args: str) -> str:
    head, article_id = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.faq")
    article = ctx.notify.workflow.articles.get(article_id)
    if not article_id:
        raise ctx.fail("agent.usage.faq")
    if article is None:
        raise ctx.fail("agent.no_such_article", article=article_id)
    if ticket.status == "closed":
        raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)
    if ticket.assignee_key is None and ticket.status in ACTIVE:
        await take(ctx.repo, ticket, ctx.key, ctx.name)
    ctx.repo.add_entry(ticket.id, "agent", ctx.name, f"[{article.id}] {article.answer.strip()}")
    ctx.repo.link_article(ticket.id, article.id, ticket.description, ctx.name, "faq")
    first_response(ctx.repo, ticket)
    await ctx.notify.requester(
        ticket,
        "requester.faq_answer",
        agent=ctx.name,
        id=ticket.id,
        question=article.question,
        answer=article.answer.strip(),
    )
    ctx.notify.agents(
        ticket, ctx.t("agent.faq_notice", id=ticket.id, agent=ctx.name, article=article.id)
    )
    return ctx.t("agent.faq_sent", id=ticket.id, article=article.id)


async def cmd_pending(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.pending")
    if ticket.status not in ("new", "open"):
        raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)
    if ticket.assignee_key is None:
        await take(ctx.repo, ticket, ctx.key, ctx.name)
    set_status(ctx.repo, ticket, "pending", ctx.name)
    await ctx.notify.requester(ticket, "requester.pending", id=ticket.id, agent=ctx.name)
    ctx.notify.agents(ticket, ctx.t("agent.pending_notice", id=ticket.id, agent=ctx.name))
    return ctx.t("agent.pending", id=ticket.id)


async def cmd_resolve(ctx: AgentContext, args: str) -> str:
    head, summary = _split(args)
    ticket = await ctx.ticket(head, "agent.usage.resolve")
    ctx.require_active(ticket)
    # "resolve 12 vpn-slow Reinstalled the client": a first word naming a KB article links it.
    first, rest = _split(summary)
    article = ctx.notify.workflow.articles.get(first)
    if article is not None:
        ctx.repo.link_article(ticket.id, article.id, ticket.description, ctx.name, "resolve")
        summary = rest
    await _cancel_transfer(ctx, ticket)
    if ticket.assignee_key is None:
        set_owner(ctx.repo, ticket, ctx.key, ctx.name, ctx.name)
    set_status(ctx.repo, ticket, "resolved", ctx.name)
    first_response(ctx.repo, ticket)  # the requester hears from us: that is a response
    ticket.resolution = summary or None
    ctx.repo.add_entry(
        ticket.id,
        "system",
        ctx.name,
        ctx.t("agent.resolved_entry", agent=ctx.name, summary=summary or "-"),
    )
    key = "requester.resolved_summary" if summary else "requester.resolved"
    await ctx.notify.requester(ticket, key, id=ticket.id, agent=ctx.name, summary=summary)
    await surveys.offer(ctx.repo, ctx.notify, ticket)
    ctx.notify.agents(ticket, ctx.t("agent.resolved_notice", id=ticket.id, agent=ctx.name))
    return ctx.t("agent.resolved", id=ticket.id)


async def cmd_reopen(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.reopen")
    if ticket.status not in ("resolved", "closed") or ticket.merged_into_id is not None:
        raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)
    await reopen(ctx.repo, ctx.notify, ticket, ctx.name)
    return ctx.t("agent.reopened", id=ticket.id)


async def cmd_close(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip(), "agent.usage.close")
    if ticket.status == "closed":
        raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)
    await _cancel_transfer(ctx, ticket)
    set_status(ctx.repo, ticket, "closed", ctx.name)
    await ctx.notify.requester(ticket, "requester.closed", id=ticket.id)
    ctx.notify.agents(ticket, ctx.t("agent.closed_notice", id=ticket.id, agent=ctx.name))
    return ctx.t("agent.closed", id=ticket.id)


async def cmd_merge(ctx: AgentContext, args: str) -> str:
    words = args.split()
    if len(words) == 3 and words[1].lower() == "into":
        words = [words[0], words[2]]
    if len(words) != 2:
        raise ctx.fail("agent.usage.merge")
    source = await ctx.ticket(words[0], "agent.usage.merge")
    target = await ctx.ticket(words[1], "agent.usage.merge")
    if source.id == target.id:
        raise ctx.fail("agent.merge_self")
    if source.status == "closed":
        raise ctx.fail("agent.wrong_state", id=source.id, status=source.status)
    if target.status == "closed":
        raise ctx.fail("agent.wrong_state", id=target.id, status=target.status)
    await _cancel_transfer(ctx, source)
    # The requesters of the duplicate follow the original from now on.
    for conversation_id in [source.conversation_id, *await ctx.repo.followers_of(source.id)]:
        if conversation_id != target.conversation_id:
            await ctx.repo.follow(target.id, conversation_id)
    await ctx.notify.requester(source, "requester.merged", id=source.id, target=target.id)
    source.merged_into_id = target.id
    source.resolution = ctx.t("agent.merged_entry", id=source.id, target=target.id)
    set_status(ctx.repo, source, "closed", ctx.name)
    ctx.repo.add_entry(
        target.id,
        "system",
        ctx.name,
        ctx.t("agent.merged_from", id=source.id, description=source.description),
    )
    ctx.repo.add_entry(source.id, "system", ctx.name, source.resolution)
    target.updated_at = ctx.repo.now
    ctx.notify.agents(
        target, ctx.t("agent.merged_notice", id=source.id, target=target.id, agent=ctx.name)
    )
    return ctx.t("agent.merged", id=source.id, target=target.id)


async def cmd_available(ctx: AgentContext, args: str) -> str:
    agent = await ctx.repo.touch_agent(ctx.key, ctx.name)
    agent.available = True
    return ctx.t("agent.now_available")


async def cmd_away(ctx: AgentContext, args: str) -> str:
    agent = await ctx.repo.touch_agent(ctx.key, ctx.name)
    agent.available = False
    return ctx.t("agent.now_away")


AgentCommand = Callable[[AgentContext, str], Awaitable[str]]
COMMANDS: dict[str, tuple[AgentCommand, Role]] = {
    "help": (cmd_help, Role.AGENT),
    "queue": (cmd_queue, Role.AGENT),
    "list": (cmd_queue, Role.AGENT),
    "show": (cmd_show, Role.AGENT),
    "claim": (cmd_claim, Role.AGENT),
    "unclaim": (cmd_unclaim, Role.AGENT),
    "assign": (cmd_assign, Role.LEAD),
    "transfer": (cmd_transfer, Role.AGENT),
    "accept": (cmd_accept, Role.AGENT),
    "decline": (cmd_decline, Role.AGENT),
    "priority": (cmd_priority, Role.AGENT),
    "reply": (cmd_reply, Role.AGENT),
    "note": (cmd_note, Role.AGENT),
    "faq": (cmd_faq, Role.AGENT),
    "pending": (cmd_pending, Role.AGENT),
    "resolve": (cmd_resolve, Role.AGENT),
    "reopen": (cmd_reopen, Role.AGENT),
    "close": (cmd_close, Role.AGENT),
    "merge": (cmd_merge, Role.AGENT),
    "available": (cmd_available, Role.AGENT),
    "away": (cmd_away, Role.AGENT),
}


async def run_agent_command(
    repo: Repository, notify: Notifier, agent: UserRef, name: str, args: str
) -> Reply:
    role = notify.workflow.team.role_of(agent)
    if role is None:
        return Reply(notify.t("agent.not_allowed"), ok=False)
    name = name.lower().removeprefix("/")
    command = COMMANDS.get(name)
    if command is None:
        return Reply(notify.t("agent.unknown_command", name=name), ok=False)
    handler, needed = command
    if role < needed:
        return Reply(notify.t("agent.needs_role", name=name, role=needed.name.lower()), ok=False)
    ctx = AgentContext(repo, notify, agent, role)
    try:
        async with repo.session.begin_nested():
            await repo.touch_agent(agent.key, agent.name)
            answer = await handler(ctx, args)
    except CommandError as error:
        return Reply(str(error), ok=False)
    return Reply(answer)
