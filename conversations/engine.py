"""The conversation engine: one state machine behind every chat platform.

An event arrives as a boundary type (messages.py). In one database transaction the engine
deduplicates it, decides, records what to say (the outbox) and commits; only then is anything
delivered. All state lives in the database, so a restart mid-conversation loses nothing.

Requester conversation states:
    idle            -> a question arrives: suggest FAQs, ask for detail, or open a ticket
    awaiting_detail -> the question was too short; the next message completes it
    suggesting      -> FAQ suggestions are shown; buttons answer them
    describing      -> "Talk to a person" was pressed before any question; the next message
                       opens a ticket
While a ticket is live (active, or resolved recently), the requester's messages join it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations import surveys, timers
from conversations.commands import AgentContext, add_note, reply_to_requester, run_agent_command
from conversations.copy import DEFAULT_LANG, LANGUAGES, supported, text
from conversations.messages import (
    Button,
    ChatRef,
    DeliveryError,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    Platform,
    Reply,
)
from conversations.models import Conversation, Message, Person, Suggestion, Ticket
from conversations.priority import PRIORITIES, infer_priority
from conversations.repository import ACTIVE, Repository
from conversations.tickets import (
    Notifier,
    Workflow,
    assign_round_robin,
    display,
    open_ticket,
    reopen,
    set_status,
)
from conversations.views import ChatLine, TicketDetail, TicketEntry, TicketView
from kb import Matcher, detect_lang, normalize

log = logging.getLogger(__name__)

#: Where ``deskbot tickets`` runs agent commands from: an agent surface nothing is posted to.
CLI_AGENT_CHAT = ChatRef(Platform.CONSOLE, "agents")
MAX_SUGGESTIONS = 3
MIN_QUESTION_WORDS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EngineSettings:
    default_lang: str = DEFAULT_LANG
    workflow: Workflow = field(default_factory=Workflow)


class Engine:
    """Implements ``conversations.views.Desk``: ``dispatch`` plus the read views."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        matcher: Matcher,
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

    # -- the one entry point -------------------------------------------------------------------

    async def dispatch(self, event: InboundEvent) -> Reply | None:
        """Handle one event exactly once. Returns the answer for an agent command; requesters are
        answered through the outbox. Known failures answer with their message; anything else is
        logged here, once, and answered with an apology."""
        try:
            async with self._sessions.begin() as session:
                repo = Repository(session, self._clock())
                if not await repo.first_delivery(event.chat.platform, event.event_id):
                    log.info(
                        "ignoring redelivered event %s:%s", event.chat.platform, event.event_id
                    )
                    return None
                if self.is_agent_chat(event.chat):
                    reply = await self._agent_event(repo, event)
                else:
                    await self._requester_event(repo, event)
                    reply = None
        except Exception:
            log.exception("failed to handle %s from %s", type(event).__name__, event.chat)
            if self.is_agent_chat(event.chat):
                return Reply(text(self.settings.workflow.agent_lang, "error.generic"), ok=False)
            await self._apologise(event)
            return None
        self._on_commit()
        return reply

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
                repo = Repository(session, self._clock())
                lang = supported(event.sender.locale) or self.settings.default_lang
                repo.enqueue(OutboundMessage(event.chat, text(lang, "error.generic"), lang=lang))
            self._on_commit()
        except Exception:
            log.exception("could not even apologise to %s", event.chat)

    # -- requesters ----------------------------------------------------------------------------

    async def _requester_event(self, repo: Repository, event: InboundEvent) -> None:
        person = await repo.person(event.sender)
        incoming = event.text if isinstance(event, InboundMessage) else ""
        conversation = await repo.conversation(event.chat, person, self.settings.default_lang)
        conversation.lang = self._language(person, event, incoming, conversation.lang)
        conversation.updated_at = repo.now
        turn = Turn(self, repo, event, person, conversation)
        if isinstance(event, InboundMessage):
            repo.record_inbound(event.chat, event.sender, event.text, conversation.lang)
        elif isinstance(event, InboundCommand):
            line = f"/{event.name} {event.args}".strip()
            repo.record_inbound(event.chat, event.sender, line, conversation.lang)
        if not conversation.greeted and not (
            isinstance(event, InboundCommand) and event.name == "start"
        ):
            turn.say(text(conversation.lang, "greeting"))
            conversation.greeted = True
        if isinstance(event, InboundMessage):
            await turn.on_text(event.text.strip())
        elif isinstance(event, InboundAction):
            await turn.on_action(event.action_id, event.value)
        else:
            await turn.on_command(event.name.lower(), event.args.strip())

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

    async def _agent_event(self, repo: Repository, event: InboundEvent) -> Reply | None:
        notify = self.notifier(repo)
        if isinstance(event, InboundCommand):
            return await run_agent_command(repo, notify, event.sender, event.name, event.args)
        if isinstance(event, InboundAction):
            # Buttons on agent-channel posts are commands with the ticket number as value.
            return await run_agent_command(repo, notify, event.sender, event.action_id, event.value)
        # Free text in an agent channel: a message in a ticket's thread answers the requester
        # ("note:" keeps it internal); anything else is agents talking among themselves.
        if event.chat.thread_id is None:
            return None
        ticket_id = await repo.ticket_for_platform_message(
            event.chat.platform, event.chat.chat_id, event.chat.thread_id
        )
        ticket = await repo.ticket(ticket_id) if ticket_id is not None else None
        if ticket is None:
            return None
        role = self.settings.workflow.team.role_of(event.sender)
        if role is None:
            return Reply(notify.t("agent.not_allowed"), ok=False)
        ctx = AgentContext(repo, notify, event.sender, role)
        body = event.text.strip()
        if body.lower().startswith("note:"):
            return Reply(await add_note(ctx, ticket, body[5:].strip()))
        return Reply(await reply_to_requester(ctx, ticket, body))

    def notifier(self, repo: Repository) -> Notifier:
        return Notifier(repo, self.settings.workflow)

    async def delivery_failed(self, message: Message, error: DeliveryError) -> None:
        """The platform refused a message for good (the requester blocked the bot, the chat is
        gone). If it was for a ticket's requester, say so on the ticket and to the agents: they
        must reach them some other way. The Outbox calls this; wire it as its failure hook."""
        if message.ticket_id is None or self.is_agent_chat(
            ChatRef(Platform(message.platform), message.chat_id)
        ):
            return
        async with self._sessions.begin() as session:
            repo = Repository(session, self._clock())
            ticket = await repo.ticket(message.ticket_id)
            if ticket is None:
                return
            notify = self.notifier(repo)
            note = notify.t("agent.unreachable", platform=message.platform, reason=error.reason)
            repo.add_entry(ticket.id, "system", "Deskbot", note)
            notify.agents(ticket, notify.t("agent.unreachable_notice", id=ticket.id, note=note))
        self._on_commit()

    async def tick(self) -> None:
        """Act on the passing of time: SLA alerts, expired transfers, closing resolved tickets.
        ``serve`` calls it every few seconds; tests call it after moving their clock."""
        async with self._sessions.begin() as session:
            repo = Repository(session, self._clock())
            await timers.tick(repo, self.notifier(repo))
        self._on_commit()

    # -- read views (the Desk protocol) --------------------------------------------------------

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        async with self._sessions() as session:
            repo = Repository(session, self._clock())
            return [await _ticket_view(repo, t) for t in await repo.queue(view)]

    async def ticket(self, ticket_id: int) -> TicketDetail | None:
        async with self._sessions() as session:
            repo = Repository(session, self._clock())
            ticket = await repo.ticket(ticket_id)
            if ticket is None:
                return None
            entries = tuple(
                TicketEntry(e.id, e.kind, e.author, e.text, e.created_at)
                for e in await repo.entries(ticket.id)
            )
            return TicketDetail(
                ticket=await _ticket_view(repo, ticket),
                description=ticket.description,
                faqs_tried=tuple(await repo.faqs_tried(ticket.id)),
                entries=entries,
            )

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]:
        async with self._sessions() as session:
            repo = Repository(session, self._clock())
            return [
                ChatLine(
                    id=m.id,
                    direction=m.direction,
                    text=m.text,
                    buttons=tuple(Button(**b) for b in m.buttons),
                    lang=m.lang,
                    at=m.created_at,
                )
                for m in await repo.transcript(chat, after)
            ]


async def _ticket_view(repo: Repository, ticket: Ticket) -> TicketView:
    requester = await repo.person_by_id(ticket.requester_id)
    return TicketView(
        id=ticket.id,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        requester_name=requester.display_name or requester.platform_user_id,
        channel=Platform(ticket.channel),
        assignee_name=ticket.assignee_name,
        lang=ticket.lang,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


class Turn:
    """One requester event being handled: the engine's decisions for it."""

    def __init__(
        self,
        engine: Engine,
        repo: Repository,
        event: InboundEvent,
        person: Person,
        conversation: Conversation,
    ) -> None:
        self.engine = engine
        self.repo = repo
        self.event = event
        self.person = person
        self.conversation = conversation
        self.notify = engine.notifier(repo)

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

    def set_state(self, state: str, pending: str = "") -> None:
        self.conversation.state = state
        self.conversation.pending_text = pending

    async def live_ticket(self) -> Ticket | None:
        return await self.repo.live_ticket(
            self.conversation.id, self.repo.now - self.engine.settings.workflow.close_after
        )

    # -- free text -----------------------------------------------------------------------------

    async def on_text(self, body: str) -> None:
        if not body:
            return
        ticket = await self.live_ticket()
        if self.conversation.state == "survey_comment":
            # A comment only while the rated ticket rests resolved: a week later, or once an
            # agent re-opened it, what they write is a question or belongs to the ticket.
            rated = int(self.conversation.pending_text)
            self.set_state("idle")
            if ticket is not None and ticket.id == rated and ticket.status == "resolved":
                await surveys.comment(self.repo, self.notify, rated, body)
                self.say(self.t("survey.comment_thanks"))
                return
        if ticket is not None:
            await self.add_to_ticket(ticket, body)
            return
        state = self.conversation.state
        if state == "describing":
            await self.escalate(body)
        elif state == "awaiting_detail":
            await self.question(f"{self.conversation.pending_text}\n{body}", ask_detail=False)
        else:
            if state == "suggesting":
                # A new message instead of a button: the earlier suggestions went unanswered.
                await self.repo.close_suggestions(self.conversation.id, "ignored")
            await self.question(body, ask_detail=True)

    async def question(self, question: str, *, ask_detail: bool) -> None:
        result = self.engine.matcher.match(question, top=MAX_SUGGESTIONS, lang=self.lang)
        suggestions = result.suggestions
        if not suggestions and ask_detail and len(normalize(question).split()) < MIN_QUESTION_WORDS:
            self.set_state("awaiting_detail", question)
            self.say(self.t("ask_detail"))
            return
        if not suggestions:
            await self.escalate(question, reason="no_match")
            return
        self.set_state("suggesting", question)
        self.say(self.t("suggestions_intro"))
        for rank, match in enumerate(suggestions, start=1):
            suggestion = Suggestion(
                conversation_id=self.conversation.id,
                query=question,
                article_id=match.article.id,
                score=float(match.score),
                rank=rank,
                shown_at=self.repo.now,
            )
            self.repo.add_suggestion(suggestion)
            await self.repo.session.flush()
            self.say(
                f"*{match.article.question}*\n{match.article.answer.strip()}",
                (
                    Button(self.t("button.solved"), "faq.ok", str(suggestion.id), "primary"),
                    Button(self.t("button.not_it"), "faq.no", str(suggestion.id)),
                ),
            )
        self.say(self.t("suggestions_outro"), (Button(self.t("button.human"), "human"),))

    async def escalate(self, description: str, *, reason: str = "asked") -> None:
        """Open a ticket with ``description`` and tell the requester what happens next."""
        await self.repo.close_suggestions(self.conversation.id, "escalated")
        priority = infer_priority(description)
        ticket = await open_ticket(
            self.repo, self.notify, self.conversation, self.person, description, priority
        )
        self.set_state("idle")
        intro = self.t(
            "ticket_opened_no_match" if reason == "no_match" else "ticket_opened", id=ticket.id
        )
        self.say(
            f"{intro}\n{self.t('ticket_next', priority=self.t('priority.' + priority))}",
            self.priority_buttons(ticket),
            ticket_id=ticket.id,
        )
        await assign_round_robin(self.repo, self.notify, ticket)

    def priority_buttons(self, ticket: Ticket) -> tuple[Button, ...]:
        return tuple(
            Button(
                self.t("priority." + level),
                "prio",
                f"{ticket.id}:{level}",
                "primary" if level == ticket.priority else None,
            )
            for level in PRIORITIES
        )

    async def add_to_ticket(self, ticket: Ticket, body: str) -> None:
        author = display(self.person)
        self.repo.add_entry(ticket.id, "requester", author, body)
        ticket.updated_at = self.repo.now
        if ticket.status == "pending":
            # They answered what the agent was waiting for: back to the agent.
            set_status(self.repo, ticket, "open" if ticket.assignee_key else "new", author)
        elif ticket.status == "resolved":
            await reopen(self.repo, self.notify, ticket, author)
        self.notify.agents(
            ticket,
            self.notify.t("agent.requester_message", id=ticket.id, requester=author, text=body),
        )

    # -- buttons -------------------------------------------------------------------------------

    async def on_action(self, action_id: str, value: str) -> None:
        if action_id in ("faq.ok", "faq.no"):
            await self.answer_suggestion(value, solved=action_id == "faq.ok")
        elif action_id == "human":
            await self.talk_to_person()
        elif action_id == "prio":
            await self.change_priority(value)
        elif action_id == "rate":
            await self.rate(value)
        elif action_id == "rate.skip":
            if self.conversation.state == "survey_comment":
                self.set_state("idle")
            self.say(self.t("survey.comment_thanks"))
        else:
            log.warning("unknown requester action %r", action_id)
            self.say(self.t("stale_button"))

    async def answer_suggestion(self, value: str, *, solved: bool) -> None:
        suggestion = await self.repo.suggestion(int(value)) if value.isdigit() else None
        if (
            suggestion is None
            or suggestion.conversation_id != self.conversation.id
            or suggestion.outcome is not None
        ):
            self.say(self.t("stale_button"))
            return
        suggestion.outcome = "solved" if solved else "rejected"
        suggestion.answered_at = self.repo.now
        if solved:
            await self.repo.close_suggestions(self.conversation.id, "ignored")
            self.set_state("idle")
            self.say(self.t("glad_it_helped"))
            return
        if await self.repo.open_suggestions(self.conversation.id):
            self.say(self.t("try_other_suggestions"))
            return
        # Every suggestion shown was "not what I need": hand it to a person.
        await self.escalate(self.conversation.pending_text, reason="rejected")

    async def rate(self, value: str) -> None:
        survey = await surveys.rate(self.repo, self.notify, self.person.id, value)
        if survey is None:
            self.say(self.t("stale_button"))
            return
        self.set_state("survey_comment", str(survey.ticket_id))
        self.say(self.t("survey.thanks"), (Button(self.t("button.skip"), "rate.skip"),))

    async def talk_to_person(self) -> None:
        ticket = await self.live_ticket()
        if ticket is not None:
            self.say(self.t("ticket_already_open", id=ticket.id), ticket_id=ticket.id)
        elif self.conversation.pending_text:
            await self.escalate(self.conversation.pending_text)
        else:
            self.set_state("describing")
            self.say(self.t("describe_problem"))

    async def change_priority(self, value: str) -> None:
        number, _, level = value.partition(":")
        ticket = await self.repo.ticket(int(number)) if number.isdigit() else None
        if ticket is None or ticket.requester_id != self.person.id or level not in PRIORITIES:
            self.say(self.t("stale_button"))
            return
        if ticket.status not in ACTIVE:
            self.say(self.t("ticket_not_active", id=ticket.id))
            return
        if ticket.priority != level:
            self.repo.audit(ticket.id, display(self.person), "priority", ticket.priority, level)
            ticket.priority = level
            ticket.updated_at = self.repo.now
            self.engine.settings.workflow.sla.apply(ticket)
            self.notify.agents(
                ticket, self.notify.t("agent.priority_notice", id=ticket.id, priority=level)
            )
        self.say(
            self.t("priority_set", id=ticket.id, priority=self.t("priority." + level)),
            ticket_id=ticket.id,
        )

    # -- commands ------------------------------------------------------------------------------

    async def on_command(self, name: str, args: str) -> None:
        handler = {
            "start": self.cmd_start,
            "help": self.cmd_help,
            "ticket": self.cmd_tickets,
            "tickets": self.cmd_tickets,
            "cancel": self.cmd_cancel,
            "lang": self.cmd_lang,
        }.get(name)
        if handler is None:
            self.say(self.t("unknown_command", name=name))
            return
        await handler(args)

    async def cmd_start(self, args: str) -> None:
        self.conversation.greeted = True
        self.say(f"{self.t('greeting')}\n\n{self.t('help')}")

    async def cmd_help(self, args: str) -> None:
        self.say(self.t("help"))

    async def cmd_tickets(self, args: str) -> None:
        tickets = await self.repo.tickets_of(self.person.id)
        if not tickets:
            self.say(self.t("no_tickets"))
            return
        lines = [
            self.t(
                "ticket_line",
                id=t.id,
                subject=t.subject,
                status=self.t("status." + t.status),
                priority=self.t("priority." + t.priority),
            )
            for t in tickets
        ]
        self.say("\n".join([self.t("your_tickets"), *lines]))

    async def cmd_cancel(self, args: str) -> None:
        if self.conversation.state != "idle":
            await self.repo.close_suggestions(self.conversation.id, "ignored")
            self.set_state("idle")
            self.say(self.t("cancelled"))
            return
        ticket = await self.live_ticket()
        if ticket is None or ticket.status not in ACTIVE:
            self.say(self.t("nothing_to_cancel"))
            return
        author = display(self.person)
        set_status(self.repo, ticket, "closed", author)
        ticket.resolution = "withdrawn by the requester"
        self.repo.add_entry(ticket.id, "system", author, self.notify.t("agent.withdrawn_entry"))
        self.notify.agents(
            ticket, self.notify.t("agent.withdrawn_notice", id=ticket.id, requester=author)
        )
        self.say(self.t("ticket_withdrawn", id=ticket.id), ticket_id=ticket.id)

    async def cmd_lang(self, args: str) -> None:
        choice = args.strip().lower()
        if choice not in LANGUAGES:
            self.say(self.t("lang_usage", languages="|".join(sorted(LANGUAGES))))
            return
        self.person.lang = choice
        self.conversation.lang = choice
        self.say(self.t("lang_set"))
