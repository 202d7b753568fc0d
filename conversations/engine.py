"""The conversation engine: one state machine behind every chat platform.

An event arrives as a boundary type (messages.py). In one database transaction the engine
deduplicates it, decides, records what to say (the outbox) and commits; only then is anything
delivered. All state lives in the database, so a restart mid-conversation loses nothing.

The requester's side is a state machine (``state.ConversationState``); while a ticket is live
(active, or resolved recently), the requester's messages join it instead. Agent events run the
agent commands (``commands``). Everything that changes a ticket goes through
``tickets.operations``. What the console, the CLI and the web chat read is served by ``reads``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations import surveys, timers
from conversations.actions import Action, PriorityChoice, parse_id
from conversations.commands import REQUESTER, run_agent_command
from conversations.commands.agent import reply_in_thread
from conversations.copy import DEFAULT_LANG, supported, text
from conversations.messages import (
    Button,
    ChatRef,
    DeliveryError,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    InboundUnreachable,
    OutboundMessage,
    Platform,
    Reply,
    Unavailable,
    storable_event,
)
from conversations.models import Conversation, Message, Person, Suggestion, Ticket
from conversations.priority import PRIORITIES, infer_priority
from conversations.state import ConversationState
from conversations.store import Store
from conversations.throttle import Throttle, parse_limits
from conversations.tickets import operations as op
from conversations.tickets.events import EventKind
from conversations.tickets.lifecycle import TransitionRefused
from conversations.tickets.operations import Actor
from conversations.tickets.workflow import Notifier, Workflow
from kb import Matching, detect_lang, normalize

log = logging.getLogger(__name__)

#: Where ``deskbot tickets`` runs agent commands from: an agent surface nothing is posted to.
CLI_AGENT_CHAT = ChatRef(Platform.CONSOLE, "agents")
MAX_SUGGESTIONS = 3
MIN_QUESTION_WORDS = 3


#: SQLSTATE classes a later try can get past: connection exception, insufficient resources
#: (too many connections), operator intervention (shutting down, starting up); and the states of
#: a serialization failure and a deadlock.
_TRANSIENT_CLASSES = ("08", "53", "57")
_TRANSIENT_STATES = ("40001", "40P01")


def is_outage(error: BaseException) -> bool:
    """The database could not take the transaction now, and a later try can succeed: it is
    unreachable, restarting or refusing connections, the connection dropped, the pool is out of
    connections, or (SQLite) the lock stayed held past the busy timeout. Anything else (a
    constraint violated, a bug) a retry would only repeat."""
    if isinstance(error, IntegrityError):
        return False
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated or error.statement is None:
        # Lost mid-way, or never made: SQLAlchemy wraps a failed connect (e.g. PostgreSQL's
        # "database is not currently accepting connections") with no statement.
        return True
    state = str(getattr(error.orig, "sqlstate", "") or "")
    return state[:2] in _TRANSIENT_CLASSES or state in _TRANSIENT_STATES


@contextlib.asynccontextmanager
async def outage_is_unavailable() -> AsyncIterator[None]:
    """For reads and writes outside ``dispatch``: an outage is ``Unavailable`` (the surface
    answers 503 and the client tries again), anything else propagates as it is."""
    try:
        yield
    except Exception as error:
        if is_outage(error):
            raise Unavailable(str(error)) from error
        raise


def utcnow() -> datetime:
    return datetime.now(UTC)


#: Tickets one requester may have waiting on agents at once, across their chats.
MAX_ACTIVE_TICKETS = 5

#: A person writes a few messages a minute; a loop, a stuck client or a forwarded chat history is
#: stopped before it opens tickets and fills the agent channel.
DEFAULT_REQUESTER_LIMIT = "30/minute"


@dataclass(frozen=True)
class EngineSettings:
    default_lang: str = DEFAULT_LANG
    workflow: Workflow = field(default_factory=Workflow)
    #: What one requester may send, on any platform, in ``limits`` notation.
    requester_limit: str = DEFAULT_REQUESTER_LIMIT


class Engine:
    """The write side: ``dispatch`` takes every event; ``tick`` acts on the passing of time."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        matcher: Matching,
        *,
        settings: EngineSettings = EngineSettings(),
        clock: Callable[[], datetime] = utcnow,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self.matcher = matcher
        self.settings = settings
        self._clock = clock
        self._on_commit = on_commit
        self._requesters = Throttle(parse_limits(settings.requester_limit))
        self._slow_down_told = Throttle(parse_limits("1/minute"))

    # -- the one entry point -------------------------------------------------------------------

    async def dispatch(self, event: InboundEvent) -> Reply | None:
        """Handle one event exactly once. Returns the answer for an agent command; requesters are
        answered through the outbox. Known failures answer with their message. A database outage
        raises ``Unavailable`` (nothing was kept: the sender must deliver the event again), and
        no apology is sent, since the message will be taken when it comes again. Anything else
        is logged here, once, and answered with an apology."""
        event = storable_event(event)
        if self.is_agent_chat(event.chat):
            return await self._take(event)
        # One event of a requester at a time: checked, taken, then counted, so that events
        # arriving at once (a webhook opens up to 40 connections) cannot all pass the check.
        requester = _requester_key(event)
        async with self._requesters.turn(requester):
            if await self._requesters.wait_seconds(requester):
                await self._slow_down(event, requester)
                return None
            reply = await self._take(event)  # Unavailable escapes uncounted: it comes again
            await self._requesters.count(requester)
        return reply

    async def _take(self, event: InboundEvent) -> Reply | None:
        try:
            async with self._sessions.begin() as session:
                store = Store(session, self._clock())
                if not await store.events.first_delivery(event.chat.platform, event.event_id):
                    log.info(
                        "ignoring redelivered event %s:%s", event.chat.platform, event.event_id
                    )
                    return None
                if self.is_agent_chat(event.chat):
                    reply = await self._agent_event(store, event)
                else:
                    await self._requester_event(store, event)
                    reply = None
        except Exception as error:
            if is_outage(error):
                log.warning(
                    "could not take %s %s:%s (the sender will retry): %s",
                    type(event).__name__,
                    event.chat.platform,
                    event.event_id,
                    error,
                )
                lang = (
                    self.settings.workflow.agent_lang
                    if self.is_agent_chat(event.chat)
                    else supported(event.sender.locale) or self.settings.default_lang
                )
                raise Unavailable(str(error), notice=text(lang, "error.unavailable")) from error
            log.exception("failed to handle %s from %s", type(event).__name__, event.chat)
            if self.is_agent_chat(event.chat):
                return Reply(text(self.settings.workflow.agent_lang, "error.generic"), ok=False)
            await self._apologise(event)
            return None
        self._on_commit()
        return reply

    async def _slow_down(self, event: InboundEvent, requester: str) -> None:
        """A requester over their limit: the event is not taken. They are told once a minute,
        so that the telling is no flood of its own."""
        log.info("requester %s over their limit; %s not taken", requester, event.event_id)
        if await self._slow_down_told.wait_seconds(requester):
            return
        await self._slow_down_told.count(requester)
        try:
            async with self._sessions.begin() as session:
                lang = supported(event.sender.locale) or self.settings.default_lang
                Store(session, self._clock()).messages.enqueue(
                    OutboundMessage(event.chat, text(lang, "error.slow_down"), lang=lang)
                )
            self._on_commit()
        except Exception:
            log.exception("could not tell %s to slow down", event.chat)

    def is_agent_chat(self, chat: ChatRef) -> bool:
        if chat == CLI_AGENT_CHAT:
            return True
        return any(
            chat.platform == agents.platform and chat.chat_id == agents.chat_id
            for agents in self.settings.workflow.agent_chats
        )

    async def _apologise(self, event: InboundEvent) -> None:
        try:
            async with self._sessions.begin() as session:
                store = Store(session, self._clock())
                lang = supported(event.sender.locale) or self.settings.default_lang
                store.messages.enqueue(
                    OutboundMessage(event.chat, text(lang, "error.generic"), lang=lang)
                )
            self._on_commit()
        except Exception:
            log.exception("could not even apologise to %s", event.chat)

    def notifier(self, store: Store) -> Notifier:
        return Notifier(store, self.settings.workflow)

    # -- requesters ----------------------------------------------------------------------------

    async def _requester_event(self, store: Store, event: InboundEvent) -> None:
        person = await store.people.requester(event.sender)
        if isinstance(event, InboundUnreachable):
            await self._unreachable(store, event, person)
            return
        incoming = event.text if isinstance(event, InboundMessage) else ""
        conversation = await store.conversations.of_chat(
            event.chat, person, self.settings.default_lang
        )
        conversation.lang = self._language(person, event, incoming, conversation.lang)
        conversation.updated_at = store.now
        turn = Turn(self, store, event, person, conversation)
        if isinstance(event, InboundMessage):
            store.messages.record_inbound(event.chat, event.sender, event.text, conversation.lang)
        elif isinstance(event, InboundCommand):
            line = f"/{event.name} {event.args}".strip()
            store.messages.record_inbound(event.chat, event.sender, line, conversation.lang)
        if not conversation.greeted and not (
            isinstance(event, InboundCommand) and REQUESTER.find(event.name) is REQUESTER["start"]
        ):
            turn.say(text(conversation.lang, "greeting"))
            conversation.greeted = True
        if isinstance(event, InboundMessage):
            await turn.on_text(event.text.strip())
        elif isinstance(event, InboundAction):
            await turn.on_action(event.action_id, event.value)
        elif isinstance(event, InboundCommand):
            await turn.on_command(event.name, event.args.strip())

    async def _unreachable(self, store: Store, event: InboundUnreachable, person: Person) -> None:
        """The person blocked the bot: their live ticket in this chat says so, and the agents
        hear it now rather than when the next reply fails to send."""
        conversation = await store.conversations.of_chat(
            event.chat, person, self.settings.default_lang
        )
        ticket = await Turn(self, store, event, person, conversation).live_ticket()
        if ticket is None:
            log.info("%s can no longer be reached (%s); no live ticket", event.chat, event.reason)
            return
        self._tell_agents_unreachable(store, ticket, event.chat.platform, event.reason)

    def _tell_agents_unreachable(
        self, store: Store, ticket: Ticket, platform: str, reason: str
    ) -> None:
        notify = self.notifier(store)
        note = notify.t("agent.unreachable", platform=platform, reason=reason)
        store.tickets.add_entry(ticket, "system", "Deskbot", note)
        notify.agents(ticket, notify.t("agent.unreachable_notice", id=ticket.id, note=note))

    def _language(self, person: Person, event: InboundEvent, text_: str, current: str) -> str:
        """The requester's language: /lang if they set it, else the platform locale, else the
        language of what they wrote, else what the conversation used so far (a new one starts
        with the default)."""
        return (
            person.lang
            or supported(event.sender.locale)
            or supported(detect_lang(text_) if text_ else None)
            or current
        )

    # -- agents --------------------------------------------------------------------------------

    async def _agent_event(self, store: Store, event: InboundEvent) -> Reply | None:
        notify = self.notifier(store)
        if isinstance(event, InboundCommand):
            return await run_agent_command(notify, event.sender, event.name, event.args)
        if isinstance(event, InboundAction):
            # Buttons on agent-channel posts are commands with the ticket number as value.
            return await run_agent_command(notify, event.sender, event.action_id, event.value)
        if isinstance(event, InboundUnreachable):
            return None  # the bot was removed from the agent chat: its sends will say so
        # Free text in an agent channel: a message in a ticket's thread answers the requester
        # ("note:" keeps it internal); anything else is agents talking among themselves.
        if event.chat.thread_id is None:
            log.debug("agent message %s: in no ticket's thread; agents' own talk", event.event_id)
            return None
        ticket_id = await store.messages.ticket_of_platform_message(
            event.chat.platform, event.chat.chat_id, event.chat.thread_id
        )
        ticket = await store.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None:
            log.debug(
                "agent message %s: its thread %s is no ticket's post; agents' own talk",
                event.event_id,
                event.chat.thread_id,
            )
            return None
        return await reply_in_thread(notify, event.sender, ticket, event.text.strip())

    async def delivery_failed(self, message: Message, error: DeliveryError) -> None:
        """The platform refused a message for good (the requester blocked the bot, the chat is
        gone). If it was for a ticket's requester, say so on the ticket and to the agents: they
        must reach them some other way. The Outbox calls this; wire it as its failure hook."""
        if message.ticket_id is None or self.is_agent_chat(
            ChatRef(Platform(message.platform), message.chat_id)
        ):
            return
        async with self._sessions.begin() as session:
            store = Store(session, self._clock())
            ticket = await store.tickets.get(message.ticket_id)
            if ticket is None:
                return
            self._tell_agents_unreachable(store, ticket, message.platform, error.reason)
        self._on_commit()

    async def tick(self) -> None:
        """Act on the passing of time: SLA alerts, expired transfers, closing resolved tickets.
        ``serve`` calls it every few seconds; tests call it after moving their clock."""
        async with self._sessions.begin() as session:
            store = Store(session, self._clock())
            await timers.tick(self.notifier(store))
        self._on_commit()


class Turn:
    """One requester event being handled: the engine's decisions for it."""

    def __init__(
        self,
        engine: Engine,
        store: Store,
        event: InboundEvent,
        person: Person,
        conversation: Conversation,
    ) -> None:
        self.engine = engine
        self.store = store
        self.event = event
        self.person = person
        self.conversation = conversation
        self.notify = engine.notifier(store)

    @property
    def lang(self) -> str:
        return self.conversation.lang

    def t(self, key: str, /, **params: object) -> str:
        return text(self.lang, key, **params)

    def say(
        self, body: str, buttons: Sequence[Button] = (), *, ticket_id: int | None = None
    ) -> None:
        self.notify.to_conversation(
            self.conversation, body, buttons=tuple(buttons), ticket_id=ticket_id
        )

    def set_state(
        self, state: ConversationState, *, question: str = "", survey_ticket_id: int | None = None
    ) -> None:
        self.conversation.state = state
        self.conversation.question = question
        self.conversation.survey_ticket_id = survey_ticket_id

    async def live_ticket(self) -> Ticket | None:
        return await self.store.tickets.live(
            self.conversation.id, self.store.now - self.engine.settings.workflow.close_after
        )

    def settle(self, suggestion: Suggestion, outcome: str) -> None:
        """Record what the requester made of a suggestion, in the row and the event log."""
        suggestion.outcome = outcome
        suggestion.answered_at = self.store.now
        self.store.events.record(
            EventKind.SUGGESTION,
            ticket_id=suggestion.ticket_id,
            conversation_id=suggestion.conversation_id,
            actor=op.display(self.person),
            actor_key=self.event.sender.key,
            from_value=suggestion.article_id,
            to_value=outcome,
        )

    async def settle_suggestions(self, outcome: str) -> None:
        """Give every unanswered suggestion of the conversation ``outcome``."""
        for suggestion in await self.store.conversations.open_suggestions(self.conversation.id):
            self.settle(suggestion, outcome)

    # -- free text -----------------------------------------------------------------------------

    async def on_text(self, body: str) -> None:
        if not body:
            return
        ticket = await self.live_ticket()
        if self.conversation.state == ConversationState.SURVEY_COMMENT:
            # A comment only while the rated ticket rests resolved: a week later, or once an
            # agent re-opened it, what they write is a question or belongs to the ticket.
            rated = self.conversation.survey_ticket_id
            self.set_state(ConversationState.IDLE)
            if ticket is not None and ticket.id == rated and ticket.status == "resolved":
                await surveys.comment(self.notify, rated, body)
                self.say(self.t("survey.comment_thanks"))
                return
        if ticket is not None:
            await op.requester_message(self.notify, ticket, self.person, body)
            return
        state = self.conversation.state
        if state == ConversationState.DESCRIBING:
            await self.escalate(body)
        elif state == ConversationState.AWAITING_DETAIL:
            await self.question(f"{self.conversation.question}\n{body}", ask_detail=False)
        else:
            if state == ConversationState.SUGGESTING:
                # A new message instead of a button: the earlier suggestions went unanswered.
                await self.settle_suggestions("ignored")
            await self.question(body, ask_detail=True)

    async def question(self, question: str, *, ask_detail: bool) -> None:
        result = self.engine.matcher.match(question, top=MAX_SUGGESTIONS, lang=self.lang)
        suggestions = result.suggestions
        if not suggestions and ask_detail and len(normalize(question).split()) < MIN_QUESTION_WORDS:
            self.set_state(ConversationState.AWAITING_DETAIL, question=question)
            self.say(self.t("ask_detail"))
            return
        if not suggestions:
            await self.escalate(question, reason="no_match")
            return
        self.set_state(ConversationState.SUGGESTING, question=question)
        self.say(self.t("suggestions_intro"))
        for rank, match in enumerate(suggestions, start=1):
            suggestion = Suggestion(
                conversation_id=self.conversation.id,
                query=question,
                article_id=match.article.id,
                score=float(match.score),
                rank=rank,
                shown_at=self.store.now,
            )
            await self.store.conversations.add_suggestion(suggestion)
            self.say(
                f"*{match.article.question}*\n{match.article.answer.strip()}",
                (
                    Button(
                        self.t("button.solved"), Action.FAQ_SOLVED, str(suggestion.id), "primary"
                    ),
                    Button(self.t("button.not_it"), Action.FAQ_REJECTED, str(suggestion.id)),
                ),
            )
        self.say(self.t("suggestions_outro"), (Button(self.t("button.human"), Action.HUMAN),))

    async def escalate(self, description: str, *, reason: str = "asked") -> None:
        """Open a ticket with ``description`` and tell the requester what happens next."""
        await self.settle_suggestions("escalated")
        active = await self.store.tickets.active_count_of_requester(self.person.id)
        if active >= MAX_ACTIVE_TICKETS:
            # One person, many chats (a Slack DM and thread after thread): they add to a ticket
            # they have rather than fill the queue.
            self.set_state(ConversationState.IDLE)
            self.say(self.t("ticket_cap", count=active))
            return
        priority = infer_priority(description)
        ticket = await op.open_ticket(
            self.notify, self.conversation, self.person, description, priority
        )
        self.set_state(ConversationState.IDLE)
        intro = self.t(
            "ticket_opened_no_match" if reason == "no_match" else "ticket_opened", id=ticket.id
        )
        self.say(
            f"{intro}\n{self.t('ticket_next', priority=self.t('priority.' + priority))}",
            self.priority_buttons(ticket),
            ticket_id=ticket.id,
        )
        await assign_round_robin(self.notify, ticket)

    def priority_buttons(self, ticket: Ticket) -> tuple[Button, ...]:
        return tuple(
            Button(
                self.t("priority." + level),
                Action.PRIORITY,
                PriorityChoice(ticket.id, level).encode(),
                "primary" if level == ticket.priority else None,
            )
            for level in PRIORITIES
        )

    # -- buttons -------------------------------------------------------------------------------

    async def on_action(self, action_id: str, value: str) -> None:
        try:
            action = Action(action_id)
        except ValueError:
            log.warning("unknown requester action %r", action_id)
            self.say(self.t("stale_button"))
            return
        if action in (Action.FAQ_SOLVED, Action.FAQ_REJECTED):
            await self.answer_suggestion(value, solved=action is Action.FAQ_SOLVED)
        elif action is Action.HUMAN:
            await self.talk_to_person()
        elif action is Action.PRIORITY:
            await self.change_priority(value)
        elif action is Action.RATE:
            await self.rate(value)
        elif action is Action.RATE_SKIP:
            if self.conversation.state == ConversationState.SURVEY_COMMENT:
                self.set_state(ConversationState.IDLE)
            self.say(self.t("survey.comment_thanks"))

    async def answer_suggestion(self, value: str, *, solved: bool) -> None:
        number = parse_id(value)
        suggestion = await self.store.conversations.suggestion(number) if number else None
        if (
            suggestion is None
            or suggestion.conversation_id != self.conversation.id
            or suggestion.outcome is not None
        ):
            self.say(self.t("stale_button"))
            return
        self.settle(suggestion, "solved" if solved else "rejected")
        if solved:
            await self.settle_suggestions("ignored")
            self.set_state(ConversationState.IDLE)
            self.say(self.t("glad_it_helped"))
            return
        if await self.store.conversations.open_suggestions(self.conversation.id):
            self.say(self.t("try_other_suggestions"))
            return
        # Every suggestion shown was "not what I need": hand it to a person.
        await self.escalate(self.conversation.question, reason="rejected")

    async def rate(self, value: str) -> None:
        survey = await surveys.rate(self.notify, self.person, value)
        if survey is None:
            self.say(self.t("stale_button"))
            return
        self.set_state(ConversationState.SURVEY_COMMENT, survey_ticket_id=survey.ticket_id)
        self.say(self.t("survey.thanks"), (Button(self.t("button.skip"), Action.RATE_SKIP),))

    async def talk_to_person(self) -> None:
        ticket = await self.live_ticket()
        if ticket is not None:
            self.say(self.t("ticket_already_open", id=ticket.id), ticket_id=ticket.id)
        elif self.conversation.question:
            await self.escalate(self.conversation.question)
        else:
            self.set_state(ConversationState.DESCRIBING)
            self.say(self.t("describe_problem"))

    async def change_priority(self, value: str) -> None:
        choice = PriorityChoice.parse(value)
        ticket = await self.store.tickets.get(choice.ticket_id) if choice else None
        if (
            choice is None
            or ticket is None
            or ticket.requester_id != self.person.id
            or choice.level not in PRIORITIES
        ):
            self.say(self.t("stale_button"))
            return
        try:
            changed = op.set_priority(
                self.notify, ticket, choice.level, Actor.requester(self.person)
            )
        except TransitionRefused:
            self.say(self.t("ticket_not_active", id=ticket.id))
            return
        if changed:
            self.notify.agents(
                ticket, self.notify.t("agent.priority_notice", id=ticket.id, priority=choice.level)
            )
        self.say(
            self.t("priority_set", id=ticket.id, priority=self.t("priority." + choice.level)),
            ticket_id=ticket.id,
        )

    # -- commands ------------------------------------------------------------------------------

    async def on_command(self, name: str, args: str) -> None:
        spec = REQUESTER.find(name)
        if spec is None:
            word = name.lower().removeprefix("/")
            close = REQUESTER.suggest(word)
            if close:
                guess = ", ".join(f"/{c}" for c in close)
                self.say(self.t("unknown_command_close", name=word, close=guess))
            else:
                self.say(self.t("unknown_command", name=word))
            return
        await spec.handler(self, args)


async def assign_round_robin(n: Notifier, ticket: Ticket) -> None:
    """Give a new ticket to the available agent who was assigned least recently and is under
    their capacity. Nobody available: it waits in the queue for a claim. Call it after the
    requester was told the ticket number, so they hear who took it second."""
    if n.workflow.assignment != "round_robin":
        return
    team = n.workflow.team
    known = {agent.key: agent for agent in await n.store.people.agents()}
    if team.open:
        candidates = [(key, agent.name) for key, agent in known.items()]
    else:
        candidates = [
            (m.who, m.display_name(known[m.who].name if m.who in known else None))
            for m in team.individuals()
        ]
    ranked = []
    for key, name in candidates:
        agent = known.get(key)
        if agent is not None and not agent.available:
            continue
        capacity = team.capacity_of(key)
        if capacity is not None and await n.store.tickets.open_count_of(key) >= capacity:
            continue
        last = agent.last_assigned_at if agent is not None else None
        ranked.append((last is not None, last, key, name))
    for _, _, key, name in sorted(ranked):
        if await op.claim(n, ticket, Actor(name, key), by=op.ROUND_ROBIN):
            return


def _requester_key(event: InboundEvent) -> str:
    """Who a requester is across their chats on one platform (a Slack DM and a thread)."""
    return f"{event.sender.platform}:{event.sender.user_id}"
