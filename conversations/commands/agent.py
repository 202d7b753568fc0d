"""Agent commands: one command set, parsed once, for every agent surface (the web console, the
CLI, a Slack slash command, a Telegram group command, the buttons on agent-channel posts):
``claim 12``, ``reply 12 text``...

Each handler parses its arguments, checks what only commands decide (roles, "only the owner or a
lead"), and calls the ticket operations (``conversations.tickets.operations``), which own the
lifecycle. Every command runs inside a savepoint, so a refused command changes nothing, and
answers the agent with a ``Reply``; what the requester and the agent channel are told goes
through the outbox.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from conversations.commands.registry import CommandSet, CommandSpec
from conversations.copy import durations
from conversations.messages import Reply, UserRef
from conversations.models import Ticket, Transfer
from conversations.priority import PRIORITIES
from conversations.reports import compute, render
from conversations.reports.period import Period, ReportInputError
from conversations.store import Store
from conversations.team import Role
from conversations.tickets import operations as op
from conversations.tickets.lifecycle import ACTIVE, Op, TransitionRefused
from conversations.tickets.operations import Actor, TransferTarget
from conversations.tickets.workflow import Notifier
from conversations.views import QUEUE_VIEWS, Queue, QueueView

_TICKET = re.compile(r"#?(\d{1,9})$")
_CONVERSATION_LINES = 10  # how much of the conversation a transfer summary carries


class CommandError(Exception):
    """A known failure of an agent command; its message is safe to show the agent."""


@dataclass(frozen=True, slots=True)
class AgentContext:
    notify: Notifier
    agent: UserRef
    role: Role
    spec: CommandSpec[AgentCommand]

    @property
    def store(self) -> Store:
        return self.notify.store

    @property
    def actor(self) -> Actor:
        return Actor.agent(self.agent)

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

    def usage(self) -> CommandError:
        return self.fail("agent.usage", usage=self.spec.usage)

    async def ticket(self, token: str) -> Ticket:
        """The ticket a ``12`` or ``#12`` argument names."""
        if not token:
            raise self.usage()
        match = _TICKET.match(token)
        if not match:
            raise self.fail(
                "agent.bad_ticket_number",
                token=token,
                usage=self.t("agent.usage", usage=self.spec.usage),
            )
        ticket = await self.store.tickets.get(int(match.group(1)))
        if ticket is None:
            raise self.fail("agent.no_such_ticket", id=match.group(1))
        return ticket

    def require_owner_or_lead(self, ticket: Ticket) -> None:
        """Changing who has a ticket is for its owner (or anyone while unassigned) and leads."""
        if ticket.assignee_key not in (None, self.key) and self.role < Role.LEAD:
            raise self.fail("agent.not_yours", id=ticket.id, agent=ticket.assignee_name)


AgentCommand = Callable[[AgentContext, str], Awaitable[str]]
AGENT: CommandSet[AgentCommand] = CommandSet("agent")
QUEUE_USAGE = f"queue [{'|'.join(QUEUE_VIEWS)}|<team>]"


def _split(args: str) -> tuple[str, str]:
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


async def _target(ctx: AgentContext, handle: str, *, teams: bool) -> TransferTarget:
    handle = handle.strip()
    name = handle.removeprefix("@")
    if not name:
        raise ctx.usage()
    team = ctx.notify.workflow.team
    if teams and name in team.team_names:
        return TransferTarget(team=name)
    member = team.find(name)
    if member is not None:
        seen = await ctx.store.people.agent(member.who)
        return TransferTarget(member.who, member.display_name(seen.name if seen else None))
    # Someone the desk has seen work tickets, named as they named themselves: anyone while the
    # desk is open, else only a member (found above by key or team-file name).
    agent = await ctx.store.people.agent_named(name)
    if agent is not None and (team.open or team.find(agent.key) is not None):
        return TransferTarget(agent.key, agent.name)
    raise ctx.fail("agent.unknown_target", handle=handle)


# -- looking around ----------------------------------------------------------------------------


def _queue(ctx: AgentContext, word: str) -> Queue:
    view = word.strip().lower() or QueueView.ALL
    if view in ctx.notify.workflow.team.team_names:
        return Queue(QueueView.TEAM, team=view)
    if view not in QUEUE_VIEWS:
        raise ctx.usage()
    if view == QueueView.MINE:
        return Queue(QueueView.MINE, agent_key=ctx.key)
    return Queue(QueueView(view))


@AGENT.command("queue", QUEUE_USAGE, role=Role.AGENT, aliases=("list",))
async def cmd_queue(ctx: AgentContext, args: str) -> str:
    tickets = await ctx.store.tickets.queue(_queue(ctx, args))
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


@AGENT.command("show", "show N", role=Role.AGENT)
async def cmd_show(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    return "\n".join(await _summary(ctx, ticket, entries=None))


async def _summary(ctx: AgentContext, ticket: Ticket, *, entries: int | None) -> list[str]:
    store = ctx.store
    requester = await store.people.requester_by_id(ticket.requester_id)
    lines = [
        ctx.t(
            "agent.show_header",
            id=ticket.id,
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            requester=op.display(requester),
            channel=ticket.channel,
            assignee=ticket.assignee_name or "-",
        )
    ]
    if ticket.status in ACTIVE:
        lines.append(_sla_line(ctx, ticket))
    faqs = await store.conversations.faqs_tried(ticket.id)
    lines.append(ctx.t("agent.faqs_tried", faqs=", ".join(faqs) or ctx.t("agent.no_faqs")))
    transfer = await store.tickets.pending_transfer(ticket.id)
    if transfer is not None:
        lines.append(
            ctx.t(
                "agent.transfer_pending",
                to=transfer.to_name or transfer.to_team,
                by=transfer.from_name,
            )
        )
    log = list(await store.tickets.entries(ticket.id))
    if entries is not None:
        log = log[-entries:]
    lines.extend(f"[{e.kind}] {e.author}: {e.text}" for e in log)
    return lines


def _sla_line(ctx: AgentContext, ticket: Ticket) -> str:
    lang = ctx.notify.workflow.agent_lang

    def clock(due: datetime | None) -> str:
        if due is None:
            return "-"
        left = due - ctx.store.now
        if left.total_seconds() < 0:
            return ctx.t("agent.sla_overdue", duration=durations.humanize(-left, lang))
        return ctx.t("agent.sla_left", duration=durations.humanize(left, lang))

    first = (
        ctx.t("agent.sla_met") if ticket.first_response_at else clock(ticket.first_response_due_at)
    )
    return ctx.t("agent.sla_line", first=first, resolution=clock(ticket.resolution_due_at))


# -- ownership ---------------------------------------------------------------------------------


@AGENT.command("claim", "claim [N]", role=Role.AGENT)
async def cmd_claim(ctx: AgentContext, args: str) -> str:
    if not args.strip():
        return await _claim_next(ctx)
    ticket = await ctx.ticket(args.strip())
    if await op.claim(ctx.notify, ticket, ctx.actor):
        return ctx.t("agent.claimed", id=ticket.id)
    # Refused: say why. Someone has it (which is what matters while it is being worked), or
    # its status does not allow a claim, or it changed under us (the message says to what).
    if ticket.status in ACTIVE and ticket.assignee_key == ctx.key:
        return ctx.t("agent.already_yours", id=ticket.id)
    if ticket.status in ACTIVE and ticket.assignee_key is not None:
        raise ctx.fail("agent.taken", id=ticket.id, agent=ticket.assignee_name)
    op.check(ticket, Op.CLAIM)
    raise ctx.fail("agent.wrong_state", id=ticket.id, status=ticket.status)


async def _claim_next(ctx: AgentContext) -> str:
    """The most pressing unassigned ticket: priority, then SLA due time, then age. Another agent
    may take it at the same moment: then the next one."""
    for ticket in await ctx.store.tickets.queue(Queue(QueueView.UNASSIGNED)):
        if await op.claim(ctx.notify, ticket, ctx.actor):
            return ctx.t("agent.claimed", id=ticket.id)
    return ctx.t("agent.nothing_to_claim")


@AGENT.command("unclaim", "unclaim N", role=Role.AGENT)
async def cmd_unclaim(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    op.check(ticket, Op.RELEASE)
    if ticket.assignee_key is None:
        raise ctx.fail("agent.not_assigned", id=ticket.id)
    ctx.require_owner_or_lead(ticket)
    await op.release(ctx.notify, ticket, ctx.actor)
    return ctx.t("agent.unclaimed", id=ticket.id)


@AGENT.command("assign", "assign N @agent", role=Role.LEAD)
async def cmd_assign(ctx: AgentContext, args: str) -> str:
    head, handle = _split(args)
    ticket = await ctx.ticket(head)
    if not handle:
        raise ctx.usage()
    op.check(ticket, Op.ASSIGN)
    target = await _target(ctx, handle, teams=False)
    assert target.key is not None and target.name is not None
    if ticket.assignee_key == target.key:
        return ctx.t("agent.already_assigned", id=ticket.id, agent=target.name)
    await op.assign(ctx.notify, ticket, Actor(target.name, target.key), ctx.actor)
    return ctx.t("agent.assigned", id=ticket.id, agent=target.name)


@AGENT.command("transfer", "transfer N @agent|team [note]", role=Role.AGENT)
async def cmd_transfer(ctx: AgentContext, args: str) -> str:
    head, rest = _split(args)
    ticket = await ctx.ticket(head)
    handle, note = _split(rest)
    if not handle:
        raise ctx.usage()
    op.check(ticket, Op.TRANSFER)
    ctx.require_owner_or_lead(ticket)
    if await ctx.store.tickets.pending_transfer(ticket.id) is not None:
        raise ctx.fail("agent.transfer_exists", id=ticket.id)
    target = await _target(ctx, handle, teams=True)
    if target.key == ctx.key:
        raise ctx.fail("agent.transfer_to_self")
    minutes = await op.transfer(
        ctx.notify,
        ticket,
        target,
        note,
        ctx.actor,
        lambda: _summary(ctx, ticket, entries=_CONVERSATION_LINES),
    )
    return ctx.t("agent.transfer_sent", id=ticket.id, to=target.label(ctx.notify), minutes=minutes)


async def _offer_for_me(ctx: AgentContext, ticket: Ticket) -> Transfer:
    offer = await ctx.store.tickets.pending_transfer(ticket.id)
    # Past its deadline it is as good as expired, whether or not the timer has run yet.
    if offer is None or offer.expires_at <= ctx.store.now:
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    team = ctx.notify.workflow.team
    if offer.from_key == ctx.key:  # a sender in the team they transfer to
        raise ctx.fail("agent.transfer_not_for_you", id=ticket.id)
    mine = offer.to_key == ctx.key or (
        offer.to_team is not None and (team.open or offer.to_team in team.teams_of(ctx.agent))
    )
    if not mine:
        raise ctx.fail("agent.transfer_not_for_you", id=ticket.id)
    return offer


@AGENT.command("accept", "accept N", role=Role.AGENT)
async def cmd_accept(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    offer = await _offer_for_me(ctx, ticket)
    if not await op.accept_transfer(ctx.notify, ticket, offer, ctx.actor):
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    return ctx.t("agent.transfer_accepted_you", id=ticket.id)


@AGENT.command("decline", "decline N", role=Role.AGENT)
async def cmd_decline(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    offer = await _offer_for_me(ctx, ticket)
    if not await op.decline_transfer(ctx.notify, ticket, offer, ctx.actor):
        raise ctx.fail("agent.no_transfer", id=ticket.id)
    return ctx.t("agent.transfer_declined_you", id=ticket.id, owner=ctx.notify.owner(ticket))


# -- working the ticket ------------------------------------------------------------------------


@AGENT.command("priority", f"priority N {'|'.join(PRIORITIES)}", role=Role.AGENT)
async def cmd_priority(ctx: AgentContext, args: str) -> str:
    head, level = _split(args)
    ticket = await ctx.ticket(head)
    level = level.lower()
    if level not in PRIORITIES:
        raise ctx.usage()
    if not op.set_priority(ctx.notify, ticket, level, ctx.actor):
        return ctx.t("agent.priority_unchanged", id=ticket.id, priority=level)
    ctx.notify.agents(
        ticket, ctx.t("agent.priority_changed", id=ticket.id, priority=level, agent=ctx.name)
    )
    return ctx.t("agent.priority_set", id=ticket.id, priority=level)


@AGENT.command("reply", "reply N text", role=Role.AGENT)
async def cmd_reply(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    ticket = await ctx.ticket(head)
    if not body:
        raise ctx.usage()
    await op.reply(ctx.notify, ticket, ctx.actor, body)
    return ctx.t("agent.replied", id=ticket.id)


@AGENT.command("note", "note N text", role=Role.AGENT)
async def cmd_note(ctx: AgentContext, args: str) -> str:
    head, body = _split(args)
    ticket = await ctx.ticket(head)
    if not body:
        raise ctx.usage()
    op.note(ctx.notify, ticket, ctx.actor, body)
    return ctx.t("agent.noted", id=ticket.id)


@AGENT.command("faq", "faq N article-id", role=Role.AGENT)
async def cmd_faq(ctx: AgentContext, args: str) -> str:
    head, article_id = _split(args)
    ticket = await ctx.ticket(head)
    if not article_id:
        raise ctx.usage()
    article = ctx.notify.workflow.articles.get(article_id)
    if article is None:
        raise ctx.fail("agent.no_such_article", article=article_id)
    await op.answer_with_article(ctx.notify, ticket, ctx.actor, article)
    return ctx.t("agent.faq_sent", id=ticket.id, article=article.id)


@AGENT.command("pending", "pending N", role=Role.AGENT)
async def cmd_pending(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    await op.pend(ctx.notify, ticket, ctx.actor)
    return ctx.t("agent.pending", id=ticket.id)


@AGENT.command("resolve", "resolve N [article-id] [summary]", role=Role.AGENT)
async def cmd_resolve(ctx: AgentContext, args: str) -> str:
    head, summary = _split(args)
    ticket = await ctx.ticket(head)
    op.check(ticket, Op.RESOLVE)
    # "resolve 12 vpn-slow Reinstalled the client": a first word naming a KB article links it.
    first, rest = _split(summary)
    article = ctx.notify.workflow.articles.get(first)
    if article is not None:
        summary = rest
    await op.resolve(ctx.notify, ticket, ctx.actor, summary, article=article)
    return ctx.t("agent.resolved", id=ticket.id)


@AGENT.command("reopen", "reopen N", role=Role.AGENT)
async def cmd_reopen(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    await op.reopen(ctx.notify, ticket, ctx.actor)
    return ctx.t("agent.reopened", id=ticket.id)


@AGENT.command("close", "close N", role=Role.AGENT)
async def cmd_close(ctx: AgentContext, args: str) -> str:
    ticket = await ctx.ticket(args.strip())
    await op.close(ctx.notify, ticket, ctx.actor)
    return ctx.t("agent.closed", id=ticket.id)


@AGENT.command("merge", "merge N into M", role=Role.AGENT)
async def cmd_merge(ctx: AgentContext, args: str) -> str:
    words = args.split()
    if len(words) == 3 and words[1].lower() == "into":
        words = [words[0], words[2]]
    if len(words) != 2:
        raise ctx.usage()
    source = await ctx.ticket(words[0])
    target = await ctx.ticket(words[1])
    if source.id == target.id:
        raise ctx.fail("agent.merge_self")
    await op.merge(ctx.notify, source, target, ctx.actor)
    return ctx.t("agent.merged", id=source.id, target=target.id)


# -- the agent themself ------------------------------------------------------------------------


@AGENT.command("available", "available", role=Role.AGENT)
async def cmd_available(ctx: AgentContext, args: str) -> str:
    agent = await ctx.store.people.touch_agent(ctx.key, ctx.name)
    agent.available = True
    return ctx.t("agent.now_available")


@AGENT.command("away", "away", role=Role.AGENT)
async def cmd_away(ctx: AgentContext, args: str) -> str:
    agent = await ctx.store.people.touch_agent(ctx.key, ctx.name)
    agent.available = False
    return ctx.t("agent.now_away")


@AGENT.command("report", "report [today|week|month]", role=Role.AGENT)
async def cmd_report(ctx: AgentContext, args: str) -> str:
    """A compact summary of the period with the previous one beside it (docs/metrics.md)."""
    try:
        period = Period.named(args.strip().lower() or "week", ctx.store.now.date())
    except ReportInputError:
        raise ctx.usage() from None
    figures = await compute.report(
        compute.one_session(ctx.store.session), period, now=ctx.store.now, detail=False
    )
    return render.summary(figures, ctx.notify.workflow.agent_lang)


@AGENT.command("help", "help", role=Role.AGENT)
async def cmd_help(ctx: AgentContext, args: str) -> str:
    lang = ctx.notify.workflow.agent_lang
    return "\n".join([ctx.t("agent.help_heading"), *AGENT.help_lines(lang)])


# -- running one -------------------------------------------------------------------------------


async def run_agent_command(notify: Notifier, agent: UserRef, name: str, args: str) -> Reply:
    """Run one agent command for ``agent``: role check, then the handler in a savepoint. Every
    refusal is a ``Reply`` with ``ok=False`` and nothing changed."""
    role = notify.workflow.team.role_of(agent)
    if role is None:
        return Reply(notify.t("agent.not_allowed"), ok=False)
    word = name.lower().removeprefix("/")
    spec = AGENT.find(word)
    if spec is None:
        close = AGENT.suggest(word)
        if close:
            guess = ", ".join(close)
            return Reply(notify.t("agent.unknown_command_close", name=word, close=guess), ok=False)
        return Reply(notify.t("agent.unknown_command", name=word), ok=False)
    assert spec.role is not None
    if role < spec.role:
        return Reply(
            notify.t("agent.needs_role", name=spec.name, role=spec.role.name.lower()), ok=False
        )
    ctx = AgentContext(notify, agent, role, spec)

    async def run() -> str:
        await notify.store.people.touch_agent(agent.key, agent.name)
        return await spec.handler(ctx, args)

    return await _guarded(ctx, run)


async def _guarded(ctx: AgentContext, work: Callable[[], Awaitable[str]]) -> Reply:
    """Run ``work`` in a savepoint; a known refusal undoes it and answers with its reason."""
    try:
        async with ctx.store.savepoint():
            return Reply(await work())
    except CommandError as error:
        return Reply(str(error), ok=False)
    except TransitionRefused as refused:
        return Reply(
            ctx.t("agent.wrong_state", id=refused.ticket_id, status=refused.status), ok=False
        )


async def reply_in_thread(notify: Notifier, agent: UserRef, ticket: Ticket, body: str) -> Reply:
    """Free text an agent wrote in a ticket's thread: a reply to the requester, or with
    ``note:`` an internal note. The same checks as ``reply N`` / ``note N``."""
    role = notify.workflow.team.role_of(agent)
    if role is None:
        return Reply(notify.t("agent.not_allowed"), ok=False)
    is_note = body.lower().startswith("note:")
    ctx = AgentContext(notify, agent, role, AGENT["note" if is_note else "reply"])

    async def run() -> str:
        if is_note:
            op.note(notify, ticket, ctx.actor, body[5:].strip())
            return ctx.t("agent.noted", id=ticket.id)
        await op.reply(notify, ticket, ctx.actor, body)
        return ctx.t("agent.replied", id=ticket.id)

    return await _guarded(ctx, run)
