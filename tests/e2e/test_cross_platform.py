"""The whole of Deskbot with Slack and Telegram at once: a requester on one platform, the agent on
the other.

``create_app`` builds Deskbot exactly as ``deskbot serve`` does (SQLite, the example knowledge base,
the delivery worker, the timers) with both chat adapters configured; it is served on 127.0.0.1,
port 0. The real slack-bolt/slack_sdk and python-telegram-bot inside it talk to the fake Slack and
the fake Telegram Bot API (``tests/fakes``); the tests act only from the outside, as those
platforms' users: signed Slack requests to ``/slack/events`` and Telegram updates queued for the
bot's long poll. What people see is read from the requests the fakes recorded.

Everything after a request runs in the background (bolt's hand-off tasks, PTB's polling, the
outbox worker), so every expectation is a bounded wait on the fake that records the call; there
are no sleeps.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.slack.channel import SlackSettings
from adapters.telegram.channel import TelegramSettings
from bot.config import Settings
from bot.server import create_app
from conversations.messages import Platform
from tests.fakes.slack_api import (
    BOT_TOKEN,
    SIGNING_SECRET,
    ApiCall,
    FakeSlack,
    SlackClient,
    block_actions_payload,
    channel_message_event,
    command_payload,
    dm_event,
)
from tests.fakes.telegram_api import FakeTelegramAPI, plain

REPO = Path(__file__).resolve().parents[2]
SLACK_AGENTS = "CAGENTS"
TELEGRAM_AGENTS = "-100123"
#: Generous: two SDKs, a SQLite commit and the outbox worker lie between a request and its effect.
WAIT = 15.0

COFFEE = "The coffee machine on floor three is leaking water everywhere"
RATINGS = ["1", "2", "3", "4", "5"]

# Slack people (the fake answers users.info for them).
SARA, SARA_DM = "U0SARA", "D0SARA"
ALI = "U0ALI"


@dataclass
class Desk:
    """Deskbot running with both adapters, and the two platforms around it."""

    slack: FakeSlack
    telegram: FakeTelegramAPI
    client: SlackClient  # signs requests to Deskbot's /slack/events as Slack does

    # -- Slack -----------------------------------------------------------------------------------

    async def slack_event(self, event: dict[str, Any]) -> None:
        answer = await self.client.event(event)
        assert answer.status == 200, answer

    async def slack_post(
        self, channel: str, where: Callable[[ApiCall], bool], *, thread_ts: str | None = None
    ) -> ApiCall:
        """The first chat.postMessage to ``channel`` (in ``thread_ts``) matching ``where``, once
        the fake has recorded it."""

        def found() -> list[ApiCall]:
            return [c for c in self.slack.posts(channel, thread_ts=thread_ts) if where(c)]

        try:
            await self.slack.wait_for(lambda: bool(found()), within=WAIT)
        except TimeoutError:
            seen = [(c.method, c.channel, c.thread_ts, c.text) for c in self.slack.calls]
            raise AssertionError(
                f"no matching chat.postMessage to {channel} (thread {thread_ts}) within {WAIT}s; "
                f"Slack calls so far: {seen}"
            ) from None
        return found()[0]

    async def slack_root_post(self, ticket_id: int) -> ApiCall:
        """The ticket's post in the Slack agent channel (a thread's root)."""
        return await self.slack_post(
            SLACK_AGENTS,
            lambda c: c.thread_ts is None and f"*New ticket #{ticket_id}*" in c.text,
        )

    async def slack_ephemeral(self, user: str, text: str) -> ApiCall:
        def found() -> list[ApiCall]:
            return [
                c
                for c in self.slack.calls_to("chat.postEphemeral")
                if c.args.get("user") == user and c.text == text
            ]

        try:
            await self.slack.wait_for(lambda: bool(found()), within=WAIT)
        except TimeoutError:
            seen = [c.args for c in self.slack.calls_to("chat.postEphemeral", ok=None)]
            raise AssertionError(f"no ephemeral {text!r} for {user}; got {seen}") from None
        return found()[0]

    async def desk_command(self, user: str, name: str, text: str) -> str:
        """``/desk <text>`` from the agent channel; returns the ephemeral answer (response_url)."""
        hook = f"cmd-{uuid.uuid4().hex[:8]}"
        payload = command_payload(
            user_id=user,
            user_name=name.lower(),
            channel_id=SLACK_AGENTS,
            text=text,
            response_url=self.slack.response_url(hook),
        )
        answer = await self.client.command(payload)
        assert answer.status == 200 and answer.body == "", answer  # acknowledged at once
        await self.slack.wait_for(
            lambda: any(r.name == hook for r in self.slack.responses), within=WAIT
        )
        (response,) = [r for r in self.slack.responses if r.name == hook]
        assert response.body["response_type"] == "ephemeral"
        return str(response.body["text"])

    # -- Telegram --------------------------------------------------------------------------------

    async def telegram_sent(
        self, chat_id: int | str, where: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The first message the bot sent ``chat_id`` matching ``where`` (as Telegram stored it,
        plus ``html`` and ``params``), once the fake has answered the sendMessage."""

        def matches(call: Any) -> bool:
            if not call.ok or call.result["chat"]["id"] != int(chat_id):
                return False
            return where({**call.result, "html": call.params["text"], "params": call.params})

        await self.telegram.wait_for("sendMessage", matches, within=WAIT)
        return next(m for m in self.telegram.sent(chat_id) if where(m))

    async def telegram_update(self, update: dict[str, Any]) -> None:
        """Queue an update for the bot's long poll, and wait until the bot has fetched it (a
        later getUpdates confirms it with a higher offset)."""
        update_id = await self.telegram.queue(update)
        await self.telegram.wait_for(
            "getUpdates",
            lambda c: int(c.params.get("offset") or 0) > update_id,
            answered=False,
            within=WAIT,
        )


def replied_to(message: dict[str, Any]) -> int | None:
    return (message.get("reply_to_message") or {}).get("message_id")


def button_data(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for b in FakeTelegramAPI.buttons(message)]


@pytest.fixture(autouse=True)
def _only_these_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deskbot reads its environment: nothing from the machine running the tests may leak in."""
    for name in list(os.environ):
        if name.startswith(("DESKBOT_", "SLACK_", "TELEGRAM_")) or name in (
            "DATABASE_URL",
            "PORT",
        ):
            monkeypatch.delenv(name)


@pytest.fixture
async def desk(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Desk]:
    slack = FakeSlack()
    await slack.start()
    telegram = FakeTelegramAPI()
    await telegram.start()
    runner: web.AppRunner | None = None
    client: SlackClient | None = None
    try:
        slack.add_user(SARA, "Sara")
        slack.add_user(ALI, "Ali")
        telegram.group(TELEGRAM_AGENTS, "Help desk agents")
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/deskbot.db",
            kb_path=REPO / "kb/sample",
        )
        channels = {
            Platform.SLACK: SlackSettings(
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
                agent_channel=SLACK_AGENTS,
                api_url=slack.api_url,
            ),
            Platform.TELEGRAM: TelegramSettings(
                bot_token=telegram.token,
                agent_chat_id=TELEGRAM_AGENTS,
                api_url=telegram.base_url,
            ),
        }
        caplog.set_level(logging.INFO)
        runner = web.AppRunner(create_app(settings, channels=channels))
        await runner.setup()  # the app's start-up: schema, adapters (auth.test, getMe...), workers
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        client = SlackClient(f"http://{host}:{port}/slack/events")

        # Both adapters are up: Slack's identity asked for, Telegram polling.
        assert slack.calls_to("auth.test"), "the Slack adapter did not start"
        await telegram.wait_for("getUpdates", answered=False, within=WAIT)

        yield Desk(slack, telegram, client)
    finally:
        if client is not None:
            await client.close()
        if runner is not None:
            await runner.cleanup()  # stops the workers and both adapters (polling included)
        await telegram.close()  # releases a long poll still parked
        await slack.close()

    # Nothing failed behind the fakes' backs (a hand-off task, a delivery, an update, shutdown):
    # those are only logged, since Slack and Telegram were answered long before.
    problems = [
        f"{when}: {record.name}: {record.getMessage()}"
        for when in ("setup", "call", "teardown")
        for record in caplog.get_records(when)
        if record.levelno >= logging.WARNING and not _expected(record)
    ]
    assert not problems, "\n".join(problems)


def _expected(record: logging.LogRecord) -> bool:
    """The one warning this configuration should give: no team file, so anyone may work."""
    return record.name == "bot.server" and record.getMessage().startswith("no team file")


async def test_a_slack_employee_is_served_from_the_telegram_group(desk: Desk) -> None:
    slack, telegram = desk.slack, desk.telegram
    ali = telegram.user(9001, "Ali")

    # Sara DMs the bot on Slack; nothing in the knowledge base answers, so a ticket opens.
    await desk.slack_event(dm_event(SARA, SARA_DM, COFFEE))
    await desk.slack_post(SARA_DM, lambda c: "opened ticket *#1*" in c.text)

    # It is posted in the Telegram agent group with a Claim button...
    post = await desk.telegram_sent(TELEGRAM_AGENTS, lambda m: "New ticket #1" in m["text"])
    assert "Sara" in post["text"] and "(slack)" in post["text"] and COFFEE in post["text"]
    assert button_data(post) == [("Claim", "claim|1")]
    # ...and in the Slack agent channel.
    root = await desk.slack_root_post(1)
    assert "Sara" in root.text and COFFEE in root.text
    assert "Claim" in root.button_labels()

    # Ali claims it with the button in the Telegram group: a toast for him, a word for Sara.
    press = telegram.callback_update(ali, post, "claim|1")
    await desk.telegram_update(press)
    (toast,) = await telegram.wait_for(
        "answerCallbackQuery",
        lambda c: c.params["callback_query_id"] == press["callback_query"]["id"],
        within=WAIT,
    )
    assert toast.params.get("text") == "You claimed #1."
    await desk.slack_post(SARA_DM, lambda c: c.text == "Ali is looking at your request *#1*.")

    # Ali replies to the ticket post in the group: Sara reads it in her Slack DM.
    answer = "Hi Sara, which side of the machine is the water coming from?"
    await desk.telegram_update(
        telegram.text_update(TELEGRAM_AGENTS, ali, answer, reply_to=post["message_id"])
    )
    await desk.slack_post(SARA_DM, lambda c: c.text == f"*Ali* (ticket #1): {answer}")
    notice = await desk.telegram_sent(
        TELEGRAM_AGENTS, lambda m: "Ali replied" in m["text"] and answer in m["text"]
    )
    assert replied_to(notice) == post["message_id"]

    # Sara answers in the DM: it reaches the group as a reply to the ticket post (and the
    # ticket's thread in the Slack channel).
    said = "From the back, near the water tank"
    await desk.slack_event(dm_event(SARA, SARA_DM, said))
    relayed = await desk.telegram_sent(TELEGRAM_AGENTS, lambda m: said in m["text"])
    assert plain(relayed["html"]) == f"#1 Sara: {said}"
    assert replied_to(relayed) == post["message_id"]
    await desk.slack_post(SLACK_AGENTS, lambda c: c.text == f"*#1* Sara: {said}", thread_ts=root.ts)

    # /resolve in the group: Ali is answered there; Sara gets the resolution and the rating.
    resolve = telegram.text_update(TELEGRAM_AGENTS, ali, "/resolve 1 Fixed")
    await desk.telegram_update(resolve)
    said_to_ali = await desk.telegram_sent(
        TELEGRAM_AGENTS, lambda m: replied_to(m) == resolve["message"]["message_id"]
    )
    assert plain(said_to_ali["html"]) == "#1 is resolved; the requester was told."
    resolution = await desk.slack_post(
        SARA_DM, lambda c: "Ticket *#1* is resolved: Fixed" in c.text
    )
    rating = await desk.slack_post(SARA_DM, lambda c: c.button_labels() == RATINGS)
    assert "How did we do on ticket *#1*?" in rating.text
    dm = slack.posts(SARA_DM)
    assert dm.index(resolution) < dm.index(rating)


async def test_a_telegram_customer_is_served_from_the_slack_channel(desk: Desk) -> None:
    slack, telegram = desk.slack, desk.telegram
    reza = telegram.user(7002, "Reza", language_code="en")

    # Reza writes to the bot in his private chat; a ticket opens.
    await desk.telegram_update(telegram.text_update(reza["id"], reza, COFFEE))
    await desk.telegram_sent(reza["id"], lambda m: "opened ticket #1" in m["text"])

    # It is posted in the Slack agent channel, with its Claim button.
    root = await desk.slack_root_post(1)
    assert "Reza" in root.text and "(telegram)" in root.text and COFFEE in root.text
    claim = slack.find_button("Claim", channel=SLACK_AGENTS)
    assert claim.message_ts == root.ts

    # Ali clicks Claim in Slack: he alone is answered, and Reza hears who took his request.
    payload = block_actions_payload(
        user_id=ALI, user_name="ali", button=claim, response_url=slack.response_url("claim")
    )
    answer = await desk.client.interaction(payload)
    assert answer.status == 200, answer
    await desk.slack_ephemeral(ALI, "You claimed #1.")
    claimed = await desk.telegram_sent(
        reza["id"], lambda m: "is looking at your request" in m["text"]
    )
    assert claimed["text"] == "Ali is looking at your request #1."

    # Ali writes in the ticket's thread: Reza gets it on Telegram.
    reply = "Hi Reza, I'm bringing a mop; please unplug the machine"
    await desk.slack_event(channel_message_event(ALI, SLACK_AGENTS, reply, thread_ts=root.ts))
    received = await desk.telegram_sent(reza["id"], lambda m: reply in m["text"])
    assert received["html"].startswith("<b>Ali</b>")
    assert received["text"] == f"Ali (ticket #1): {reply}"

    # Reza answers: it appears in the Slack thread.
    said = "Unplugged, thanks"
    await desk.telegram_update(telegram.text_update(reza["id"], reza, said))
    await desk.slack_post(SLACK_AGENTS, lambda c: c.text == f"*#1* Reza: {said}", thread_ts=root.ts)

    # /desk resolve: Ali's answer is ephemeral; Reza gets the resolution and the rating buttons.
    assert await desk.desk_command(ALI, "Ali", "resolve 1 Fixed") == (
        "#1 is resolved; the requester was told."
    )
    resolution = await desk.telegram_sent(
        reza["id"], lambda m: "#1 is resolved: Fixed" in m["text"]
    )
    rating = await desk.telegram_sent(
        reza["id"], lambda m: [b["text"] for b in telegram.buttons(m)] == RATINGS
    )
    assert all(data.startswith("rate|") for _, data in button_data(rating))
    assert resolution["message_id"] < rating["message_id"]
