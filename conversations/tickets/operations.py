"""The one set of operations that change a ticket.

The requester flow (``engine``), the agent commands (``commands``) and the timers all call these;
nothing else assigns a ticket's status, owner or priority. Each operation asks the lifecycle
table first (``lifecycle.next_status``; a refused move raises ``TransitionRefused``), writes the
event log (``EventKind``) and records what the requester and the agent channels are told in the
outbox. Who may do what (roles, "only the owner or a lead") is the commands' business, not these
functions'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from conversations import surveys
from conversations.actions import AgentAction
from conversations.messages import Button, UserRef
from conversations.models import Conversation, Person, Ticket, Transfer
from conversations.priority import PRIORITIES
from conversations.tickets.events import EventKind
from conversations.tickets.lifecycle import (
    ACTIVE,
    Op,
    TicketStatus,
    TransitionRefused,
    is_reopen,
    next_status,
)
from conversations.tickets.workflow import Notifier
from kb import Article

SUBJECT_LENGTH = 80


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something to a ticket: an agent or requester (``key`` as ``UserRef.key``), or
    the desk itself (the timers, round-robin), which has no key."""

    name: str
    key: str | None = None

    @classmethod
    def agent(cls, user: UserRef) -> Actor:
        return cls(user.name, user.key)

    @classmethod
    def requester(cls, person: Person) -> Actor:
        return cls(display(person), f"{person.platform}:{person.platform_user_id}")


TIMER = Actor("timer")
ROUND_ROBIN = Actor("round-robin")


def display(person: Person) -> str:
    return person.display_name or person.platform_user_id


def subject_of(description: str) -> str:
    # One line: a question completed after "tell me more" spans several short ones.
    line = " ".join(description.split())
    if len(line) <= SUBJECT_LENGTH:
        return line
    return line[: SUBJECT_LENGTH - 1].rstrip() + "…"


def check(ticket: Ticket, op: Op) -> None:
    """Refuse ``op`` now if the ticket's status does not allow it (before any other effect)."""
    next_status(ticket.id, op, ticket.status, assigned=ticket.assignee_key is not None)


def _log(
    n: Notifier,
    kind: EventKind,
    ticket: Ticket,
    by: Actor,
    from_value: str | None = None,
    to_value: str | None = None,
) -> None:
    n.store.events.record(
        kind,
        ticket_id=ticket.id,
        actor=by.name,
        actor_key=by.key,
        from_value=from_value,
        to_value=to_value,
    )


def _move(n: Notifier, ticket: Ticket, op: Op, by: Actor) -> None:
    """Apply the lifecycle table's move for ``op``, with its timestamps and event."""
    status = next_status(ticket.id, op, ticket.status, assigned=ticket.assignee_key is not None)
    ticket.updated_at = n.store.now
    if ticket.status == status:
        return
    _log(n, EventKind.STATUS, ticket, by, ticket.status, status)
    if is_reopen(ticket.status, status):
        ticket.reopen_count += 1
    ticket.status = status
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = n.store.now
        if ticket.first_resolved_at is None:
            ticket.first_resolved_at = n.store.now
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = n.store.now
    else:
        ticket.resolved_at = ticket.closed_at = None


def _responded(n: Notifier, ticket: Ticket, by: Actor) -> None:
    """A person answered the requester: the first time, that is the first response."""
    if ticket.first_response_at is None:
        ticket.first_response_at = n.store.now
        ticket.first_responder_key = by.key
        _log(n, EventKind.FIRST_RESPONSE, ticket, by)
    ticket.updated_at = n.store.now


# -- opening -----------------------------------------------------------------------------------


async def open_ticket(
    n: Notifier, conversation: Conversation, person: Person, description: str, priority: str
) -> Ticket:
    store = n.store
    ticket = Ticket(
        conversation_id=conversation.id,
        requester_id=person.id,
        subject=subject_of(description),
        description=description,
        channel=conversation.platform,
        priority=priority,
        status=TicketStatus.NEW,
        lang=conversation.lang,
        created_at=store.now,
        updated_at=store.now,
    )
    n.workflow.sla.apply(ticket)
    store.tickets.add(ticket)
    await store.flush()
    await store.conversations.link_suggestions(conversation.id, description, ticket.id)
    requester = Actor.requester(person)
    store.tickets.add_entry(ticket, "requester", requester.name, description)
    _log(n, EventKind.CREATED, ticket, requester, None, TicketStatus.NEW)
    faqs = await store.conversations.faqs_tried(ticket.id)
    n.agents(
        ticket,
        n.t(
            "agent.new_ticket",
            id=ticket.id,
            priority=priority,
            requester=requester.name,
            channel=conversation.platform,
            description=description,
            faqs=", ".join(faqs) if faqs else n.t("agent.no_faqs"),
        ),
        buttons=(Button(n.t("button.claim"), AgentAction.CLAIM, str(ticket.id), "primary"),),
    )
    return ticket


# -- ownership ---------------------------------------------------------------------------------


async def take(n: Notifier, ticket: Ticket, agent: Actor, *, by: Actor | None = None) -> bool:
    """Make ``agent`` the owner of an unassigned active ticket, logged as done by ``by`` (the
    agent themself unless given). False (and ``ticket`` refreshed) when someone else got there
    first or its status does not allow a claim. A conditional UPDATE: of two agents claiming at
    once in two processes exactly one wins, on SQLite and PostgreSQL alike."""
    assert agent.key is not None
    by = by or agent
    previous = TicketStatus(ticket.status)
    try:
        status = next_status(ticket.id, Op.CLAIM, previous, assigned=False)
    except TransitionRefused:
        return False
    won = await n.store.tickets.claim(ticket.id, previous, status, agent.key, agent.name)
    await n.store.session.refresh(ticket)
    if won:
        await n.store.people.touch_agent(agent.key, agent.name, assigned=True)
        _log(n, EventKind.ASSIGNED, ticket, by, None, agent.name)
        if previous != ticket.status:
            _log(n, EventKind.STATUS, ticket, by, previous, ticket.status)
    return won


async def claim(n: Notifier, ticket: Ticket, agent: Actor, *, by: Actor | None = None) -> bool:
    """``take``, and tell the requester and the agents who has it."""
    if not await take(n, ticket, agent, by=by):
        return False
    await n.requester(ticket, "requester.claimed", agent=agent.name, id=ticket.id)
    if by is None:
        n.agents(ticket, n.t("agent.claimed_notice", id=ticket.id, agent=agent.name))
    else:
        n.agents(ticket, n.t("agent.assigned_notice", id=ticket.id, agent=agent.name, by=by.name))
    return True


def _set_owner(n: Notifier, ticket: Ticket, owner: Actor | None, op: Op, by: Actor) -> None:
    check(ticket, op)
    _log(n, EventKind.ASSIGNED, ticket, by, ticket.assignee_name, owner.name if owner else None)
    ticket.assignee_key = owner.key if owner else None
    ticket.assignee_name = owner.name if owner else None
    _move(n, ticket, op, by)


async def release(n: Notifier, ticket: Ticket, by: Actor) -> None:
    """Back to the queue."""
    check(ticket, Op.RELEASE)
    await _cancel_transfer(n, ticket)
    _set_owner(n, ticket, None, Op.RELEASE, by)
    n.agents(ticket, n.t("agent.unclaimed_notice", id=ticket.id, agent=by.name))


async def assign(n: Notifier, ticket: Ticket, owner: Actor, by: Actor) -> None:
    check(ticket, Op.ASSIGN)
    assert owner.key is not None
    await _cancel_transfer(n, ticket)
    _set_owner(n, ticket, owner, Op.ASSIGN, by)
    await n.store.people.touch_agent(owner.key, owner.name, assigned=True)
    await n.requester(ticket, "requester.claimed", agent=owner.name, id=ticket.id)
    n.agents(ticket, n.t("agent.assigned_notice", id=ticket.id, agent=owner.name, by=by.name))


# -- transfers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferTarget:
    """Who a transfer names: an agent (key and name) or a team."""

    key: str | None = None
    name: str | None = None
    team: str | None = None

    def label(self, n: Notifier) -> str:
        return self.name or n.t("agent.team", team=self.team)


async def transfer(
    n: Notifier,
    ticket: Ticket,
    target: TransferTarget,
    note: str,
    by: Actor,
    summary: Callable[[], Awaitable[list[str]]],
) -> int:
    """Offer the ticket to an agent or a team; nothing changes until they accept. The offer
    carries ``summary()``, taken once the offer is recorded (so it shows it). Returns the
    minutes they have."""
    check(ticket, Op.TRANSFER)
    assert by.key is not None
    store = n.store
    store.tickets.add_transfer(
        Transfer(
            ticket_id=ticket.id,
            from_key=by.key,
            from_name=by.name,
            to_key=target.key,
            to_name=target.name,
            to_team=target.team,
            note=note,
            status="pending",
            created_at=store.now,
            expires_at=store.now + n.workflow.transfer_timeout,
        )
    )
    _log(n, EventKind.TRANSFER, ticket, by, by.name, target.name or target.team)
    minutes = round(n.workflow.transfer_timeout.total_seconds() / 60)
    n.agents(
        ticket,
        "\n".join(
            [
                n.t(
                    "agent.transfer_offer",
                    id=ticket.id,
                    to=target.label(n),
                    by=by.name,
                    owner=n.owner(ticket),
                    minutes=minutes,
                ),
                n.t("agent.transfer_note", note=note or "-"),
                *await summary(),
            ]
        ),
        buttons=(
            Button(n.t("button.accept"), AgentAction.ACCEPT, str(ticket.id), "primary"),
            Button(n.t("button.decline"), AgentAction.DECLINE, str(ticket.id)),
        ),
    )
    return minutes


async def accept_transfer(n: Notifier, ticket: Ticket, offer: Transfer, agent: Actor) -> bool:
    """The receiver takes it. False when the transfer was decided (or expired) meanwhile."""
    assert agent.key is not None
    if not await n.store.tickets.decide_transfer(offer.id, "accepted"):
        return False
    check(ticket, Op.ASSIGN)
    _set_owner(n, ticket, agent, Op.ASSIGN, agent)
    _log(n, EventKind.TRANSFER_ACCEPTED, ticket, agent, offer.from_name, agent.name)
    if offer.to_team:
        ticket.team = offer.to_team
    await n.store.people.touch_agent(agent.key, agent.name, assigned=True)
    await n.requester(ticket, "requester.claimed", agent=agent.name, id=ticket.id)
    n.agents(
        ticket,
        n.t("agent.transfer_accepted", id=ticket.id, agent=agent.name, by=offer.from_name),
    )
    return True


async def decline_transfer(n: Notifier, ticket: Ticket, offer: Transfer, agent: Actor) -> bool:
    if not await n.store.tickets.decide_transfer(offer.id, "declined"):
        return False
    # It stays with whoever owns it, which is not the sender when a lead made the transfer.
    owner = n.owner(ticket)
    _log(n, EventKind.TRANSFER_DECLINED, ticket, agent, None, owner)
    n.agents(ticket, n.t("agent.transfer_declined", id=ticket.id, agent=agent.name, owner=owner))
    return True


async def expire_transfers(n: Notifier) -> None:
    """Transfers nobody accepted in time stay with their owner (a timer)."""
    for offer in await n.store.tickets.expired_transfers():
        if not await n.store.tickets.decide_transfer(offer.id, "expired"):
            continue  # accepted, declined or expired by someone else meanwhile
        ticket = await n.store.tickets.get(offer.ticket_id)
        assert ticket is not None
        owner = n.owner(ticket)
        _log(n, EventKind.TRANSFER_EXPIRED, ticket, TIMER, None, owner)
        n.agents(
            ticket,
            n.t(
                "agent.transfer_expired",
                id=ticket.id,
                to=offer.to_name or n.t("agent.team", team=offer.to_team),
                owner=owner,
            ),
        )


async def _cancel_transfer(n: Notifier, ticket: Ticket) -> None:
    offer = await n.store.tickets.pending_transfer(ticket.id)
    if offer is not None:
        await n.store.tickets.decide_transfer(offer.id, "cancelled")


# -- working the ticket ------------------------------------------------------------------------


def set_priority(n: Notifier, ticket: Ticket, level: str, by: Actor) -> bool:
    """Change the priority and re-compute the SLA targets. False if it was ``level`` already."""
    assert level in PRIORITIES
    check(ticket, Op.PRIORITY)
    if ticket.priority == level:
        return False
    _log(n, EventKind.PRIORITY, ticket, by, ticket.priority, level)
    ticket.priority = level
    ticket.updated_at = n.store.now
    n.workflow.sla.apply(ticket)
    return True


async def _answering(n: Notifier, ticket: Ticket, agent: Actor) -> None:
    check(ticket, Op.REPLY)
    if ticket.assignee_key is None and ticket.status in ACTIVE:
        # Answering a ticket takes it, so nobody else picks it up at the same time.
        await take(n, ticket, agent)
    _responded(n, ticket, agent)


async def reply(n: Notifier, ticket: Ticket, agent: Actor, body: str) -> None:
    await _answering(n, ticket, agent)
    n.store.tickets.add_entry(ticket, "agent", agent.name, body)
    await n.requester(ticket, "requester.agent_reply", agent=agent.name, id=ticket.id, text=body)
    n.agents(ticket, n.t("agent.reply_notice", id=ticket.id, agent=agent.name, text=body))


async def answer_with_article(n: Notifier, ticket: Ticket, agent: Actor, article: Article) -> None:
    """Answer with a KB article, and remember that it answered this question."""
    await _answering(n, ticket, agent)
    answer = article.answer.strip()
    n.store.tickets.add_entry(ticket, "agent", agent.name, f"[{article.id}] {answer}")
    n.store.tickets.link_article(ticket.id, article.id, ticket.description, agent.name, "faq")
    await n.requester(
        ticket,
        "requester.faq_answer",
        agent=agent.name,
        id=ticket.id,
        question=article.question,
        answer=answer,
    )
    n.agents(ticket, n.t("agent.faq_notice", id=ticket.id, agent=agent.name, article=article.id))


def note(n: Notifier, ticket: Ticket, agent: Actor, body: str) -> None:
    check(ticket, Op.NOTE)
    n.store.tickets.add_entry(ticket, "note", agent.name, body)
    ticket.updated_at = n.store.now
    n.agents(ticket, n.t("agent.note_notice", id=ticket.id, agent=agent.name, text=body))


async def pend(n: Notifier, ticket: Ticket, agent: Actor) -> None:
    """Waiting on the requester; their reply brings it back (``requester_message``)."""
    check(ticket, Op.PEND)
    if ticket.assignee_key is None:
        await take(n, ticket, agent)
    _move(n, ticket, Op.PEND, agent)
    await n.requester(ticket, "requester.pending", id=ticket.id, agent=agent.name)
    n.agents(ticket, n.t("agent.pending_notice", id=ticket.id, agent=agent.name))


#: Requester messages on one ticket relayed to the agent channel in a minute, one by one.
RELAYS_PER_MINUTE = 5


async def requester_message(n: Notifier, ticket: Ticket, person: Person, body: str) -> None:
    """The requester wrote while the ticket is live: it joins the ticket, and a pending or
    resolved ticket goes back to the agents."""
    requester = Actor.requester(person)
    check(ticket, Op.REQUESTER_MESSAGE)
    n.store.tickets.add_entry(ticket, "requester", requester.name, body)
    was = ticket.status
    _move(n, ticket, Op.REQUESTER_MESSAGE, requester)
    if was == TicketStatus.RESOLVED:
        await _reopened(n, ticket, requester)
    # A requester writing in a burst (pasting a log line by line, or a script) is relayed up to
    # RELAYS_PER_MINUTE times, then once told, so the agent channel stays readable; every line
    # is on the ticket.
    recent = await n.store.tickets.requester_entries_since(
        ticket.id, n.store.now - timedelta(minutes=1)
    )
    if recent <= RELAYS_PER_MINUTE:
        n.agents(
            ticket,
            n.t("agent.requester_message", id=ticket.id, requester=requester.name, text=body),
        )
    elif recent == RELAYS_PER_MINUTE + 1:
        n.agents(ticket, n.t("agent.requester_burst", id=ticket.id, requester=requester.name))


# -- ending ------------------------------------------------------------------------------------


async def resolve(
    n: Notifier, ticket: Ticket, agent: Actor, summary: str, *, article: Article | None = None
) -> None:
    """Resolve; the requester gets the summary and (maybe) a survey. Naming an article links
    it to the question. Resolving counts as a first response: the requester hears from us."""
    check(ticket, Op.RESOLVE)
    store = n.store
    if article is not None:
        store.tickets.link_article(ticket.id, article.id, ticket.description, agent.name, "resolve")
    await _cancel_transfer(n, ticket)
    if ticket.assignee_key is None:
        _set_owner(n, ticket, agent, Op.ASSIGN, agent)
    _move(n, ticket, Op.RESOLVE, agent)
    _responded(n, ticket, agent)
    ticket.resolution = summary or None
    store.tickets.add_entry(
        ticket,
        "system",
        agent.name,
        n.t("agent.resolved_entry", agent=agent.name, summary=summary or "-"),
    )
    key = "requester.resolved_summary" if summary else "requester.resolved"
    await n.requester(ticket, key, id=ticket.id, agent=agent.name, summary=summary)
    await surveys.offer(n, ticket)
    n.agents(ticket, n.t("agent.resolved_notice", id=ticket.id, agent=agent.name))


async def reopen(n: Notifier, ticket: Ticket, by: Actor) -> None:
    """An agent re-opens a resolved or closed ticket (not one merged into another)."""
    if ticket.merged_into_id is not None:
        raise TransitionRefused(ticket.id, Op.REOPEN, TicketStatus(ticket.status))
    _move(n, ticket, Op.REOPEN, by)
    await _reopened(n, ticket, by)


async def _reopened(n: Notifier, ticket: Ticket, by: Actor) -> None:
    n.agents(ticket, n.t("agent.reopened_notice", id=ticket.id, by=by.name))
    await n.requester(ticket, "ticket_reopened", id=ticket.id)


async def close(n: Notifier, ticket: Ticket, by: Actor) -> None:
    check(ticket, Op.CLOSE)
    await _cancel_transfer(n, ticket)
    _move(n, ticket, Op.CLOSE, by)
    await n.requester(ticket, "requester.closed", id=ticket.id)
    n.agents(ticket, n.t("agent.closed_notice", id=ticket.id, agent=by.name))


async def withdraw(n: Notifier, ticket: Ticket, person: Person) -> None:
    """The requester takes their ticket back (``/cancel``): it closes, the agents are told."""
    requester = Actor.requester(person)
    check(ticket, Op.WITHDRAW)
    await _cancel_transfer(n, ticket)
    _move(n, ticket, Op.WITHDRAW, requester)
    ticket.resolution = "withdrawn by the requester"
    n.store.tickets.add_entry(ticket, "system", requester.name, n.t("agent.withdrawn_entry"))
    n.agents(ticket, n.t("agent.withdrawn_notice", id=ticket.id, requester=requester.name))


async def merge(n: Notifier, source: Ticket, target: Ticket, by: Actor) -> None:
    """``source`` duplicates ``target``: it closes, and its requesters follow ``target``."""
    check(source, Op.MERGE)
    check(target, Op.MERGE_INTO)
    store = n.store
    await _cancel_transfer(n, source)
    following = [source.conversation_id, *await store.tickets.followers_of(source.id)]
    for conversation_id in following:
        if conversation_id != target.conversation_id:
            await store.tickets.follow(target.id, conversation_id)
    await n.requester(source, "requester.merged", id=source.id, target=target.id)
    source.merged_into_id = target.id
    source.resolution = n.t("agent.merged_entry", id=source.id, target=target.id)
    _move(n, source, Op.MERGE, by)
    _log(n, EventKind.MERGED, source, by, None, f"#{target.id}")
    store.tickets.add_entry(
        target,
        "system",
        by.name,
        n.t("agent.merged_from", id=source.id, description=source.description),
    )
    store.tickets.add_entry(source, "system", by.name, source.resolution)
    target.updated_at = store.now
    n.agents(target, n.t("agent.merged_notice", id=source.id, target=target.id, agent=by.name))


async def close_quiet_resolved(n: Notifier) -> None:
    """Resolved tickets close after their quiet period (a timer). Conditional, so a requester's
    reply arriving meanwhile, or another process closing first, wins."""
    store = n.store
    for ticket in await store.tickets.resolved_before(store.now - n.workflow.close_after):
        check(ticket, Op.AUTO_CLOSE)
        if not await store.tickets.close_if_resolved(ticket.id):
            continue
        await store.session.refresh(ticket)
        _log(n, EventKind.STATUS, ticket, TIMER, TicketStatus.RESOLVED, TicketStatus.CLOSED)
