"""The web chat in a real browser: headless Debian Chromium driven by Playwright.

Two layers: the pages against a scripted fake desk (fast, checks the page logic), and the whole
of Deskbot end to end (real app, SQLite, knowledge base, delivery worker) with a requester and an
agent in two browser contexts.

Synchronisation is by Playwright's auto-waiting ``expect``; no sleeps.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright, expect

from adapters.web.app import setup_web_chat
from adapters.web.outbound import WebSender
from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    Platform,
    Reply,
)
from conversations.views import ChatLine, TicketDetail, TicketEntry, TicketView
from tests.fakes.memory_desk import MemoryConsoleSessions, MemoryServerKeys
from tests.outage import Outage

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
AGENTS = ChatRef(Platform.WEB, "agents")

# Two cores and a cold Chromium: give auto-waiting more room than Playwright's 5 s default.
expect.set_options(timeout=20_000)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = (
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(apt-get install chromium); it is not installed"
        )
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(reason + " and CI=true, where a missing browser is a failure")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _serve(app: web.Application, *, port: int = 0) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def _console_errors(page: Page) -> list[str]:
    """Collect the page's JavaScript errors, so a broken script fails the test loudly."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


# --- the pages against a scripted desk ---------------------------------------------------------


class ScriptedDesk:
    """A tiny stand-in for the engine: greets on /start, offers buttons, echoes, and pushes a
    notice through the real WebSender after each change (as the delivery worker would)."""

    def __init__(self) -> None:
        self.console_sessions = MemoryConsoleSessions()
        self.server_keys = MemoryServerKeys()
        self.sender: WebSender | None = None
        self.events: list[InboundEvent] = []
        self.lines: dict[str, list[ChatLine]] = {}
        self.tickets: dict[int, TicketDetail] = {}
        self.transcript_calls: list[tuple[str, int]] = []

    async def say(self, chat: ChatRef, text: str, *, direction: str = "out", **extra) -> None:
        lines = self.lines.setdefault(chat.chat_id, [])
        lines.append(
            ChatLine(
                id=len(lines) + 1,
                direction=direction,
                text=text,
                buttons=extra.get("buttons", ()),
                lang=extra.get("lang", "en"),
                at=datetime.now(UTC),
            )
        )
        if direction == "out" and self.sender is not None:
            await self.sender.send(OutboundMessage(chat, text, lang=extra.get("lang", "en")))

    async def dispatch(self, event: InboundEvent) -> Reply | None:
        self.events.append(event)
        if isinstance(event, InboundCommand) and event.chat.chat_id == "agents":
            return await self._agent_command(event.name, event.args, event.sender.name)
        if isinstance(event, InboundAction) and event.chat.chat_id == "agents":
            # Buttons on agent-channel posts are commands with the ticket number as value.
            return await self._agent_command(event.action_id, event.value, event.sender.name)
        if isinstance(event, InboundCommand) and event.name == "start":
            await self.say(event.chat, "Hello! I am *Deskbot*. Docs: https://example.com/help.")
            await self.say(event.chat, "سلام! چطور می‌توانم کمک کنم؟", lang="fa")
            await self.say(event.chat, 'Tricky: <img src=x onerror="window.pwned=1"> & `<b>`')
            await self.say(
                event.chat,
                "Did this help?",
                buttons=(
                    Button("This solved it", "faq.solved", "pw-reset", "primary"),
                    Button("Not what I need", "faq.rejected", "pw-reset"),
                ),
            )
        elif isinstance(event, InboundMessage):
            await self.say(event.chat, event.text, direction="in")
            await self.say(event.chat, f"You said: {event.text}")
        elif isinstance(event, InboundAction):
            await self.say(event.chat, f"Noted: {event.action_id}")
        return None

    async def _agent_command(self, name: str, args: str, agent: str) -> Reply:
        number, _, text = args.partition(" ")
        detail = self.tickets.get(int(number)) if number.isdigit() else None
        if detail is None:
            return Reply(f"There is no ticket #{number}.", ok=False)
        if name == "claim":
            ticket = dataclasses.replace(detail.ticket, assignee_name=agent)
            self.tickets[ticket.id] = dataclasses.replace(detail, ticket=ticket)
            await self.say(AGENTS, f"*#{ticket.id}* claimed by {agent}.")
            return Reply(f"You now own #{ticket.id}.")
        if name in ("reply", "note"):
            kind = "agent" if name == "reply" else "note"
            entry = TicketEntry(len(detail.entries) + 1, kind, agent, text, datetime.now(UTC))
            self.tickets[detail.ticket.id] = dataclasses.replace(
                detail, entries=(*detail.entries, entry)
            )
            return Reply("Sent." if kind == "agent" else "Note added.")
        if name == "accept":
            return Reply(f"The transfer of #{number} is not for you.", ok=False)
        return Reply(f"Unknown command {name}.", ok=False)

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        return [detail.ticket for detail in self.tickets.values()]

    async def ticket(self, ticket_id: int) -> TicketDetail | None:
        return self.tickets.get(ticket_id)

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]:
        self.transcript_calls.append((chat.chat_id, after))
        return [line for line in self.lines.get(chat.chat_id, []) if line.id > after]


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[ScriptedDesk, str]]:
    desk = ScriptedDesk()
    app = web.Application()
    desk.sender = setup_web_chat(app, desk)
    runner, base_url = await _serve(app)
    try:
        yield desk, base_url
    finally:
        await runner.cleanup()


async def test_requester_page_against_a_scripted_desk(browser: Browser, scripted) -> None:
    desk, base_url = scripted
    page = await browser.new_page()
    errors = _console_errors(page)
    await page.goto(base_url + "/")

    lines = page.get_by_test_id("chat-line")
    # An empty transcript makes the page send /start, and the greeting arrives over the socket.
    await expect(lines.first).to_contain_text("Hello! I am Deskbot.")
    await expect(lines).to_have_count(4)
    assert [type(e).__name__ for e in desk.events] == ["InboundCommand"]
    assert desk.events[0].event_id.endswith(":auto-start")

    # The Markdown subset becomes markup; everything else stays text.
    await expect(lines.first.locator("strong")).to_have_text("Deskbot")
    await expect(lines.first.locator("a")).to_have_attribute("href", "https://example.com/help")
    await expect(lines.nth(2).locator("img")).to_have_count(0)
    await expect(lines.nth(2)).to_contain_text('<img src=x onerror="window.pwned=1">')
    await expect(lines.nth(2).locator("code")).to_have_text("<b>")
    assert await page.evaluate("window.pwned === undefined")

    # Persian reads right to left.
    persian = lines.nth(1)
    await expect(persian).to_have_attribute("dir", "rtl")
    await expect(persian).to_have_attribute("lang", "fa")
    await expect(lines.first).to_have_attribute("dir", "ltr")

    # Buttons post the action and switch off.
    solved = page.get_by_test_id("chat-button").filter(has_text="This solved it")
    await solved.click()
    await expect(lines.last).to_contain_text("Noted: faq.solved")
    action = desk.events[-1]
    assert isinstance(action, InboundAction)
    assert (action.action_id, action.value) == ("faq.solved", "pw-reset")
    for button in await lines.nth(3).get_by_test_id("chat-button").all():
        await expect(button).to_be_disabled()

    # Typing: the requester's own line is dir=auto, the echo arrives.
    await page.get_by_text("Your name", exact=True).click()  # an optional, folded field
    await page.get_by_test_id("chat-name-input").fill("Sara")
    await page.get_by_test_id("chat-name-input").dispatch_event("change")
    await expect(page.get_by_test_id("chat-input")).to_have_attribute("dir", "auto")
    await page.get_by_test_id("chat-input").fill("سلام, my *password* expired")
    await page.get_by_test_id("chat-send").click()
    own = lines.filter(has_text="my password expired").first
    await expect(own).to_have_attribute("dir", "auto")
    await expect(own).to_have_attribute("data-direction", "in")
    await expect(lines.last).to_contain_text("You said: سلام, my password expired")
    await expect(lines.last.locator("strong")).to_have_text("password")
    await expect(page.get_by_test_id("chat-input")).to_have_value("")
    message = desk.events[-1]
    assert isinstance(message, InboundMessage)
    assert message.sender.display_name == "Sara"
    assert message.sender.locale  # navigator.language

    # Enter sends too.
    await page.get_by_test_id("chat-input").fill("second question")
    await page.get_by_test_id("chat-input").press("Enter")
    await expect(lines.last).to_contain_text("You said: second question")

    # A reload shows the same conversation from the server, greets only once, and remembers
    # which buttons were used.
    count = await lines.count()
    await page.reload()
    await expect(lines).to_have_count(count)
    await expect(lines.nth(3).get_by_test_id("chat-button").first).to_be_disabled()
    assert sum(isinstance(e, InboundCommand) for e in desk.events) == 1
    assert errors == []


async def test_requester_page_shows_input_errors(browser: Browser, scripted) -> None:
    _, base_url = scripted
    page = await browser.new_page()
    await page.goto(base_url + "/")
    await expect(page.get_by_test_id("chat-line").first).to_contain_text("Hello")
    # The textarea caps typing at 4000; a script could still send more, and the server says why.
    status = await page.evaluate(
        """async () => {
            const r = await fetch('/api/chat/messages', {method: 'POST',
              headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({text: 'x'.repeat(4001), event_id: 'too-long'})});
            return [r.status, (await r.json()).error];
        }"""
    )
    assert status[0] == 413 and "4000" in status[1]


async def test_requester_page_catches_up_after_a_server_restart(browser: Browser) -> None:
    desk = ScriptedDesk()
    app = web.Application()
    desk.sender = setup_web_chat(app, desk)
    runner, base_url = await _serve(app)
    page = await browser.new_page()
    await page.goto(base_url + "/")
    lines = page.get_by_test_id("chat-line")
    status = page.get_by_test_id("chat-status")
    await expect(lines).to_have_count(4)
    await expect(status).to_have_text("Connected")

    await runner.cleanup()
    await expect(status).to_have_text("Reconnecting…")
    [chat_id] = desk.lines
    # Said while no server was listening: only the transcript has it.
    await desk.say(ChatRef(Platform.WEB, chat_id), "Written while you were away")

    restarted = web.Application()
    desk.sender = setup_web_chat(restarted, desk)
    runner, _ = await _serve(restarted, port=int(base_url.rsplit(":", 1)[1]))
    try:
        await expect(status).to_have_text("Connected")
        await expect(lines.last).to_contain_text("Written while you were away")
        await expect(lines).to_have_count(5)
    finally:
        await runner.cleanup()


def _ticket_12() -> TicketDetail:
    now = datetime.now(UTC)
    return TicketDetail(
        ticket=TicketView(
            12, "Cannot log in", "new", "urgent", "Sara", Platform.WEB, None, "en", now, now
        ),
        description="I forgot my password and cannot log in",
        faqs_tried=("password-reset",),
        entries=(
            TicketEntry(1, "requester", "Sara", "I forgot my password", now),
            TicketEntry(2, "note", "bob", "Possibly a locked account", now),
            TicketEntry(3, "system", "Deskbot", "Ticket opened from the web chat", now),
        ),
    )


async def _sign_in(page: Page, base_url: str, name: str) -> None:
    await page.goto(base_url + "/agent")
    await page.get_by_test_id("agent-name-input").fill(name)
    await page.get_by_test_id("agent-name-save").click()
    await expect(page.get_by_test_id("agent-name")).to_have_text(name)


async def test_agent_console_against_a_scripted_desk(browser: Browser, scripted) -> None:
    desk, base_url = scripted
    desk.tickets[12] = _ticket_12()
    page = await browser.new_page()
    errors = _console_errors(page)
    await _sign_in(page, base_url, "Alice")

    row = page.get_by_test_id("queue-row").filter(has_text="#12")
    await expect(row).to_contain_text("Cannot log in")
    await expect(row).to_contain_text("urgent")
    await expect(row).to_contain_text("Sara")
    await row.click()

    detail = page.get_by_test_id("ticket-detail")
    await expect(detail).to_be_visible()
    await expect(page.get_by_test_id("ticket-description")).to_contain_text("I forgot my password")
    await expect(page.get_by_test_id("ticket-faqs")).to_contain_text("password-reset")
    note = page.get_by_test_id("ticket-entry").filter(has_text="Possibly a locked account")
    await expect(note).to_have_attribute("data-kind", "note")
    await expect(note).to_contain_text(re.compile("internal note", re.IGNORECASE))

    await page.get_by_test_id("ticket-claim").click()
    await expect(page.get_by_test_id("command-output")).to_have_text("You now own #12.")
    await expect(row).to_contain_text("Alice")
    claim = desk.events[-1]
    assert isinstance(claim, InboundCommand)
    assert (claim.name, claim.args, claim.sender.user_id) == ("claim", "12", "agent:Alice")

    await page.get_by_test_id("ticket-reply-input").fill("Hi, I reset it for you")
    await page.get_by_test_id("ticket-reply-send").click()
    reply = page.get_by_test_id("ticket-entry").filter(has_text="Hi, I reset it for you")
    await expect(reply).to_have_attribute("data-kind", "agent")
    await expect(page.get_by_test_id("ticket-reply-input")).to_have_value("")

    # A refused command is shown as an error.
    await page.get_by_test_id("command-input").fill("claim 99")
    await page.get_by_test_id("command-send").click()
    output = page.get_by_test_id("command-output")
    await expect(output).to_have_text("There is no ticket #99.")
    await expect(output).to_have_attribute("data-ok", "false")
    await expect(page.get_by_test_id("command-input")).to_have_value("claim 99")
    assert errors == []


async def test_agent_console_feed_against_a_scripted_desk(browser: Browser, scripted) -> None:
    desk, base_url = scripted
    desk.tickets[12] = _ticket_12()
    await desk.say(
        AGENTS,
        "*New ticket #12* [urgent] from Sara (web)\nI forgot my password",
        buttons=(Button("Claim", "claim", "12", "primary"),),
    )
    await desk.say(AGENTS, "*#12* زمان پاسخ‌گویی رو به پایان است", lang="fa")
    await desk.say(
        AGENTS,
        "*#12* transfer to Alice from bob: accept within 10 min (`accept 12`)",
        buttons=(Button("Accept", "accept", "12", "primary"), Button("Decline", "decline", "12")),
    )
    page = await browser.new_page()
    errors = _console_errors(page)
    await _sign_in(page, base_url, "Alice")

    feed = page.get_by_test_id("feed")
    lines = feed.get_by_test_id("feed-line")
    await expect(lines).to_have_count(3)
    new_ticket = lines.first
    await expect(new_ticket).to_contain_text("New ticket #12")
    await expect(new_ticket.locator("strong")).to_have_text("New ticket #12")
    await expect(lines.nth(1)).to_have_attribute("dir", "rtl")
    await expect(lines.nth(1)).to_have_attribute("lang", "fa")
    await expect(new_ticket).to_have_attribute("dir", "ltr")
    # `code` keeps its text: "accept 12" there is not a ticket link.
    await expect(lines.nth(2).locator("code")).to_have_text("accept 12")
    await expect(lines.nth(2).get_by_test_id("feed-ticket-ref")).to_have_count(1)

    # "#12" opens the ticket.
    await new_ticket.get_by_test_id("feed-ticket-ref").click()
    await expect(page.get_by_test_id("ticket-title")).to_contain_text("#12 Cannot log in")

    # Claim: the engine's reply is shown, the button switches off, and the engine's post about
    # the claim arrives over the socket at the bottom of the feed.
    claim = new_ticket.get_by_test_id("feed-button")
    await expect(claim).to_have_text("Claim")
    await claim.click()
    output = page.get_by_test_id("command-output")
    await expect(output).to_have_text("You now own #12.")
    await expect(output).to_have_attribute("data-ok", "true")
    await expect(claim).to_be_disabled()
    await expect(lines.last).to_contain_text("#12 claimed by Alice.")
    await expect(page.get_by_test_id("ticket-meta")).to_contain_text("Alice")
    press = desk.events[-1]
    assert isinstance(press, InboundAction)
    assert (press.chat, press.action_id, press.value) == (AGENTS, "claim", "12")
    assert press.sender.user_id == "agent:Alice"
    assert press.event_id.startswith("agent:Alice:")

    # A refused press is shown as an error and leaves the buttons usable.
    accept = lines.nth(2).get_by_test_id("feed-button").filter(has_text="Accept")
    await accept.click()
    await expect(output).to_have_text("The transfer of #12 is not for you.")
    await expect(output).to_have_attribute("data-ok", "false")
    await expect(accept).to_be_enabled()

    # After a reload the feed is fetched again and the used Claim button stays off.
    await page.reload()
    await expect(lines).to_have_count(4)
    await expect(lines.first.get_by_test_id("feed-button")).to_be_disabled()
    await expect(lines.nth(2).get_by_test_id("feed-button").first).to_be_enabled()
    assert errors == []


async def test_agent_feed_keeps_the_newest_lines(browser: Browser, scripted) -> None:
    desk, base_url = scripted
    for n in range(1, 321):
        await desk.say(AGENTS, f"event {n}")
    page = await browser.new_page()
    errors = _console_errors(page)
    await _sign_in(page, base_url, "Alice")

    lines = page.get_by_test_id("feed-line")
    await expect(lines.last).to_have_text(re.compile(r"event 320$"))
    await expect(lines).to_have_count(300)
    await expect(lines.first).to_have_text(re.compile(r"event 21$"))
    # The newest line is in view: the feed starts scrolled to the bottom.
    await expect(lines.last).to_be_in_viewport()

    # Pushed lines are fetched with after=<last id> and the oldest ones drop out.
    await desk.say(AGENTS, "event 321")
    await expect(lines.last).to_have_text(re.compile(r"event 321$"))
    await expect(lines).to_have_count(300)
    await expect(lines.first).to_have_text(re.compile(r"event 22$"))
    assert ("agents", 320) in desk.transcript_calls
    assert all(after in (0, 320, 321) for chat, after in desk.transcript_calls if chat == "agents")
    assert errors == []


async def test_agent_console_login(browser: Browser) -> None:
    desk = ScriptedDesk()
    app = web.Application()
    desk.sender = setup_web_chat(app, desk, agent_token="let-me-in")
    runner, base_url = await _serve(app)
    try:
        page = await browser.new_page()
        await page.goto(base_url + "/agent")
        await page.get_by_test_id("agent-name-input").fill("Alice")
        await page.get_by_test_id("agent-name-save").click()

        token = page.get_by_test_id("agent-login-token")
        await expect(token).to_be_visible()
        await token.fill("guess")
        await page.get_by_test_id("agent-login-submit").click()
        await expect(page.get_by_test_id("agent-login-error")).to_contain_text("not right")

        await token.fill("let-me-in")
        await page.get_by_test_id("agent-login-submit").click()
        await expect(page.get_by_test_id("agent-login")).to_be_hidden()
        await expect(page.get_by_test_id("queue-empty")).to_be_visible()
        await expect(page.get_by_test_id("agent-status")).to_have_text("Live")
    finally:
        await runner.cleanup()


# --- the whole of Deskbot ----------------------------------------------------------------------


async def test_requester_and_agent_end_to_end(browser: Browser, tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.server import create_app

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/deskbot.db", kb_path=REPO / "kb/sample"
    )
    runner, base_url = await _serve(create_app(settings))
    try:
        requester = await (await browser.new_context()).new_page()
        agent = await (await browser.new_context()).new_page()
        requester_errors = _console_errors(requester)
        agent_errors = _console_errors(agent)
        chat = requester.get_by_test_id("chat-line")

        # The requester is greeted, asks, and gets FAQ suggestions with buttons.
        await requester.goto(base_url + "/")
        await expect(chat.first).to_be_visible()
        await requester.get_by_test_id("chat-input").fill("I forgot my password and cannot log in")
        await requester.get_by_test_id("chat-send").click()
        buttons = requester.get_by_test_id("chat-button")
        await expect(buttons.filter(has_text="This solved it").first).to_be_visible()
        await expect(buttons.filter(has_text="Not what I need").first).to_be_visible()
        talk = buttons.filter(has_text="Talk to a person").last
        await expect(talk).to_be_visible()

        # Asking for a person opens ticket #1.
        await talk.click()
        await expect(requester.get_by_test_id("chat-transcript")).to_contain_text("#1")

        # The agent finds it, claims it and replies.
        await agent.goto(base_url + "/agent")
        await agent.get_by_test_id("agent-name-input").fill("Alice")
        await agent.get_by_test_id("agent-name-save").click()
        row = agent.get_by_test_id("queue-row").filter(has_text="#1")
        await expect(row).to_be_visible()
        await row.click()
        await expect(agent.get_by_test_id("ticket-title")).to_contain_text("#1")
        await agent.get_by_test_id("ticket-claim").click()
        await expect(agent.get_by_test_id("command-output")).to_have_attribute("data-ok", "true")
        await expect(row).to_contain_text("Alice")
        await agent.get_by_test_id("ticket-reply-input").fill("Hi, I reset it for you")
        await agent.get_by_test_id("ticket-reply-send").click()
        await expect(agent.get_by_test_id("command-output")).to_have_attribute("data-ok", "true")

        # The requester sees the reply and answers; the agent sees the answer in the ticket.
        await expect(chat.filter(has_text="Hi, I reset it for you")).to_have_count(1)
        await requester.get_by_test_id("chat-input").fill("Thanks, works now")
        await requester.get_by_test_id("chat-send").click()
        answer = agent.get_by_test_id("ticket-entry").filter(has_text="Thanks, works now")
        await expect(answer).to_have_attribute("data-kind", "requester")

        # The agent resolves; the requester is told, with the agent's summary.
        await agent.get_by_test_id("ticket-resolve").click()
        await agent.get_by_test_id("ticket-resolve-summary").fill("Password reset by Alice")
        await agent.get_by_test_id("ticket-resolve-confirm").click()
        await expect(agent.get_by_test_id("command-output")).to_have_attribute("data-ok", "true")
        notice = chat.filter(has_text="Password reset by Alice")
        await expect(notice).to_have_attribute("data-direction", "out")
        await expect(agent.get_by_test_id("ticket-meta")).to_contain_text("resolved")

        assert requester_errors == []
        assert agent_errors == []
    finally:
        await runner.cleanup()


async def test_agent_feed_end_to_end(browser: Browser, tmp_path: Path) -> None:
    """What the engine posts to the web agent channel shows in the console's feed, and its
    buttons work: claim a new ticket from the feed, then hand it over with a transfer that the
    other agent accepts from their feed."""
    from bot.config import Settings
    from bot.server import create_app

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/deskbot.db", kb_path=REPO / "kb/sample"
    )
    runner, base_url = await _serve(create_app(settings))
    try:
        requester = await (await browser.new_context()).new_page()
        alice = await (await browser.new_context()).new_page()
        bob = await (await browser.new_context()).new_page()
        errors = {page: _console_errors(page) for page in (requester, alice, bob)}
        chat = requester.get_by_test_id("chat-line")

        await requester.goto(base_url + "/")
        await expect(chat.first).to_be_visible()
        await requester.get_by_test_id("chat-input").fill("I forgot my password and cannot log in")
        await requester.get_by_test_id("chat-send").click()
        talk = requester.get_by_test_id("chat-button").filter(has_text="Talk to a person").last
        await talk.click()
        await expect(requester.get_by_test_id("chat-transcript")).to_contain_text("#1")

        # Alice sees the new ticket in her feed and claims it there.
        await _sign_in(alice, base_url, "Alice")
        feed = alice.get_by_test_id("feed-line")
        new_ticket = feed.filter(has_text="New ticket #1")
        await expect(new_ticket).to_have_count(1)
        claim = new_ticket.get_by_test_id("feed-button")
        await expect(claim).to_have_text("Claim")
        await claim.click()
        output = alice.get_by_test_id("command-output")
        await expect(output).to_have_text("You claimed #1.")
        await expect(output).to_have_attribute("data-ok", "true")
        await expect(claim).to_be_disabled()
        await expect(feed.last).to_contain_text("#1 claimed by Alice.")
        await expect(chat.last).to_contain_text("Alice is looking at your request #1.")

        # "#1" in the feed opens the ticket, now Alice's.
        await new_ticket.get_by_test_id("feed-ticket-ref").first.click()
        await expect(alice.get_by_test_id("ticket-title")).to_contain_text("#1")
        await expect(alice.get_by_test_id("ticket-meta")).to_contain_text("Alice")

        # Bob opens his console (running any command makes him known to the desk), Alice offers
        # him the ticket, and Bob accepts from the offer in his feed.
        await _sign_in(bob, base_url, "Bob")
        await bob.get_by_test_id("command-input").fill("help")
        await bob.get_by_test_id("command-send").click()
        await expect(bob.get_by_test_id("command-output")).to_have_attribute("data-ok", "true")
        await alice.get_by_test_id("command-input").fill("transfer 1 @Bob please take this one")
        await alice.get_by_test_id("command-send").click()
        await expect(output).to_contain_text("#1 offered to Bob")
        offer = bob.get_by_test_id("feed-line").filter(has_text="transfer to Bob from Alice")
        accept = offer.get_by_test_id("feed-button").filter(has_text="Accept")
        await accept.click()
        await expect(bob.get_by_test_id("command-output")).to_have_text("#1 is yours now.")
        await expect(offer.get_by_test_id("feed-button")).to_have_count(2)
        for button in await offer.get_by_test_id("feed-button").all():
            await expect(button).to_be_disabled()
        # Alice's console hears of it over the socket.
        await expect(feed.last).to_contain_text("#1 accepted by Bob (from Alice).")
        await expect(alice.get_by_test_id("ticket-meta")).to_contain_text("Bob")
        await expect(chat.last).to_contain_text("Bob is looking at your request #1.")

        assert all(not page_errors for page_errors in errors.values()), errors
    finally:
        await runner.cleanup()


async def test_a_message_sent_while_the_database_is_down_arrives_once_it_is_back(
    browser: Browser, database_url: str
) -> None:
    """The server answers 503 while its database is unavailable; the page says it is
    reconnecting and sends the same message again (the same event id) until it is taken, once."""
    from sqlalchemy import func, select

    from bot.config import Settings
    from bot.server import DESKBOT, create_app
    from conversations.models import Message

    app = create_app(Settings(database_url=database_url, kb_path=REPO / "kb/sample"))
    runner, base_url = await _serve(app)
    outage = Outage(database_url, app[DESKBOT].database)
    try:
        page = await (await browser.new_context()).new_page()
        errors = _console_errors(page)
        chat = page.get_by_test_id("chat-line")
        await page.goto(base_url + "/")
        await expect(chat.first).to_be_visible()  # the greeting
        await expect(page.get_by_test_id("chat-status")).to_have_text("Connected")

        await outage.begin()
        problem = "The coffee machine on floor three is leaking water everywhere"
        await page.get_by_test_id("chat-input").fill(problem)
        await page.get_by_test_id("chat-send").click()
        await expect(page.get_by_test_id("chat-status")).to_have_text("Reconnecting…")
        await outage.end()

        await expect(chat.filter(has_text=problem)).to_have_count(1)
        await expect(page.get_by_test_id("chat-transcript")).to_contain_text("#1")
        await expect(page.get_by_test_id("chat-status")).to_have_text("Connected")
        await expect(page.get_by_test_id("chat-input")).to_have_value("")
        await expect(page.get_by_test_id("chat-error")).to_be_hidden()
        async with app[DESKBOT].database.connect() as connection:
            taken = await connection.scalar(
                select(func.count()).select_from(Message).where(Message.text == problem)
            )
        assert taken == 1
        # The page's own tries met 503s (Chromium reports each failed fetch on the console).
        assert [e for e in errors if "503" not in e] == []
    finally:
        await outage.end()
        await runner.cleanup()
