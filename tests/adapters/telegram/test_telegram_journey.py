"""A customer's whole journey on Telegram, and the agents' side of it, through the real SDK, the
fake Bot API and the real engine (on every configured database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.copy import text as copy
from conversations.messages import InboundMessage
from conversations.models import Survey
from conversations.team import Member, Role, Team
from tests.adapters.telegram.conftest import AGENT_CHAT_ID, TelegramDesk
from tests.fakes.telegram_api import BOT_USERNAME, FakeTelegramAPI

PASSWORD_QUESTION_FA = "رمز عبورم را فراموش کرده‌ام و نمی‌توانم وارد شوم"
PRINTER_QUESTION_FA = "پرینتر طبقه سوم کاغذ گیر کرده است"


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def replied_to(message: dict[str, Any]) -> int | None:
    return (message.get("reply_to_message") or {}).get("message_id")


def posts_about(desk: TelegramDesk, number: int) -> list[dict[str, Any]]:
    return [m for m in desk.agent_posts() if f"#{number}" in m["text"]]


async def test_a_customer_journey_from_start_to_rating(desk: TelegramDesk) -> None:
    maryam = desk.customer(7001, "Maryam", last_name="Ahmadi", language_code="fa")

    # /start greets in the language Telegram says the person uses.
    (greeting,) = await maryam.say("/start")
    assert copy("fa", "greeting") in greeting["text"]
    assert greeting["params"]["parse_mode"] == "HTML"

    # A question gets FAQ suggestions, each with its buttons as an inline keyboard.
    replies = await maryam.say(PASSWORD_QUESTION_FA)
    suggested = [m for m in replies if desk.fake.buttons(m)]
    assert suggested
    first = suggested[0]
    assert first["html"].startswith("<b>")  # the article's question, in bold
    labels = [b["text"] for b in desk.fake.buttons(first)]
    assert labels == [copy("fa", "button.solved"), copy("fa", "button.not_it")]
    every_button = [b for m in replies for b in desk.fake.buttons(m)]
    assert all(len(b["callback_data"].encode()) <= 64 for b in every_button)
    assert desk.fake.buttons(first)[0]["callback_data"].startswith("faq.ok|")
    assert maryam.buttons(copy("fa", "button.human"))

    # "This solved it": thanks, and the button stops spinning.
    answer = await maryam.press(copy("fa", "button.solved"), nth=0)
    assert copy("fa", "glad_it_helped") in texts(answer)
    last_answer = desk.fake.calls_of("answerCallbackQuery")[-1]
    assert "text" not in last_answer.params  # nothing to say in a toast to a customer

    # Another question; "Talk to a person" opens a ticket.
    await maryam.say(PRINTER_QUESTION_FA)
    opened = await maryam.press(copy("fa", "button.human"))
    assert "#1" in texts(opened)
    ticket = await desk.ticket(1)
    assert ticket.channel == "telegram" and ticket.status == "new"
    assert ticket.description == PRINTER_QUESTION_FA

    # The ticket reaches the agent group with its summary and a Claim button.
    (post,) = posts_about(desk, 1)
    assert "New ticket #1" in post["text"] and "Maryam Ahmadi" in post["text"]
    assert PRINTER_QUESTION_FA in post["text"]
    assert [(b["text"], b["callback_data"]) for b in desk.fake.buttons(post)] == [
        ("Claim", "claim|1")
    ]

    # An agent presses Claim: the answer is a toast; the customer hears who took it.
    ali = desk.agent(9001, "Ali")
    toast = await ali.press("Claim", post)
    assert toast == "You claimed #1."
    assert (await desk.ticket(1)).assignee_name == "Ali"
    assert "Ali" in texts(maryam.read())

    # The agent answers by replying to the ticket's post; the customer gets it.
    before = len(desk.agent_posts())
    await ali.write("Hi Maryam, which floor is the printer on?", reply_to=post["message_id"])
    (answer,) = maryam.read()
    assert "Hi Maryam, which floor is the printer on?" in answer["text"]
    assert answer["html"].startswith("<b>Ali</b>")
    # The group sees "Ali replied" under the ticket, not a second "Reply sent" confirmation.
    (notice,) = desk.agent_posts()[before:]
    assert "Ali replied" in notice["text"] and replied_to(notice) == post["message_id"]

    # A photo's caption joins the ticket and reaches the group as a reply to the ticket post.
    before = len(desk.agent_posts())
    await maryam.send(caption="این هم عکس صفحه‌نمایش پرینتر", photo=True)
    (relayed,) = desk.agent_posts()[before:]
    assert "این هم عکس صفحه‌نمایش پرینتر" in relayed["text"] and "[photo]" in relayed["text"]
    assert relayed["params"]["reply_parameters"]["message_id"] == post["message_id"]
    assert replied_to(relayed) == post["message_id"]
    # And a document's name too.
    await maryam.send(document="printer-log.txt")
    assert "[file: printer-log.txt]" in desk.agent_posts()[-1]["text"]

    # /resolve in the group (addressed to the bot, as group clients do): the customer gets the
    # resolution and the rating buttons.
    said = await ali.command(f"/resolve@{BOT_USERNAME} 1 Fixed")
    assert said == "#1 is resolved; the requester was told."
    resolved = maryam.read()
    assert "Fixed" in texts(resolved)
    ratings = [m for m in resolved if desk.fake.buttons(m)]
    assert [b["text"] for b in desk.fake.buttons(ratings[-1])] == ["1", "2", "3", "4", "5"]
    assert all(b["callback_data"].startswith("rate|") for b in desk.fake.buttons(ratings[-1]))

    # Pressing 4 stores the rating.
    thanks = await maryam.press("4")
    assert copy("fa", "survey.thanks") in texts(thanks)
    async with desk.sessions() as session:
        survey = await session.scalar(select(Survey).where(Survey.ticket_id == 1))
    assert survey is not None and survey.rating == 4


async def test_someone_outside_the_team_is_refused(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> None:
    team = Team.from_members([Member("telegram:9001", Role.AGENT, name="Ali")])
    desk = await TelegramDesk(sessions, fake, team=team).start()
    try:
        sara = desk.customer(7002, "Sara", language_code="en")
        await sara.say("The coffee machine on floor three is leaking water everywhere")
        assert (await desk.ticket(1)).status == "new"

        mallory = desk.agent(9666, "Mallory")
        said = await mallory.command("/claim 1")
        assert said.startswith("You're not allowed")
        ticket = await desk.ticket(1)
        assert ticket.status == "new" and ticket.assignee_key is None

        # Nor can they answer the customer by replying to the ticket post.
        (post,) = posts_about(desk, 1)
        before = len(sara.received)
        reply = await mallory.write("I can fix it!", reply_to=post["message_id"])
        refusals = [m for m in desk.agent_posts() if replied_to(m) == reply["message_id"]]
        assert refusals and refusals[0]["text"].startswith("You're not allowed")
        assert len(sara.received) == before

        # The team member can.
        ali = desk.agent(9001, "Ali")
        assert await ali.command("/claim 1") == "You claimed #1."
        assert (await desk.ticket(1)).assignee_key == "telegram:9001"
    finally:
        await desk.stop()


async def test_the_agent_group_can_be_granted_a_role(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> None:
    team = Team.from_members([Member(f"telegram-group:{AGENT_CHAT_ID}", Role.AGENT)])
    desk = await TelegramDesk(sessions, fake, team=team).start()
    try:
        sara = desk.customer(7002, "Sara", language_code="en")
        await sara.say("The coffee machine on floor three is leaking water everywhere")
        anyone = desk.agent(9123, "Reza")
        assert await anyone.command("/claim 1") == "You claimed #1."
        # Writing to the bot privately makes nobody a member of that group.
        from_sara = [e for e in desk.dispatched if e.sender.user_id == str(sara.chat_id)]
        assert from_sara and all(not e.sender.groups for e in from_sara)
    finally:
        await desk.stop()


async def test_the_conversation_survives_a_restart(desk: TelegramDesk) -> None:
    sara = desk.customer(7003, "Sara", language_code="en")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    (post,) = posts_about(desk, 1)
    sara.read()

    # Stopped mid-ticket; what Sara writes meanwhile waits at Telegram.
    await desk.stop()
    waiting = desk.fake.text_update(sara.chat_id, sara.user, "It is getting worse")
    await desk.fake.queue(waiting)

    desk = await desk.restart()
    try:
        await desk.handled(waiting["update_id"])
        await desk.deliver()
        relayed = desk.agent_posts()[-1]
        assert "It is getting worse" in relayed["text"]
        assert replied_to(relayed) == post["message_id"]

        # An agent's reply to the post made before the restart still reaches her.
        ali = desk.agent(9001, "Ali")
        await ali.write("On my way with a mop", reply_to=post["message_id"])
        assert "On my way with a mop" in texts(sara.read())
        assert (await desk.ticket(1)).assignee_name == "Ali"
    finally:
        await desk.stop()


async def test_a_reply_to_a_colleagues_reply_under_a_ticket_answers_the_customer(
    desk: TelegramDesk, caplog
) -> None:
    sara = desk.customer(7004, "Sara", language_code="en")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    (post,) = posts_about(desk, 1)
    sara.read()
    ali, reza = desk.agent(9001, "Ali"), desk.agent(9002, "Reza")
    await ali.write("note: I think facilities own this", reply_to=post["message_id"])

    # Reza answers Ali's note, not the bot's post: a plain supergroup gives the reply thread's
    # root (the ticket's post) as message_thread_id, without is_topic_message. It was ignored.
    note = ali.said[-1]
    reply = await reza.write("Sara, facilities are on the way", reply_to=note["message_id"])
    assert reply["message_thread_id"] == post["message_id"] and "is_topic_message" not in reply
    assert "Sara, facilities are on the way" in texts(sara.read())

    # Agents' own talk in a thread that is no ticket's stays theirs, and the log says why.
    caplog.set_level("DEBUG", logger="conversations.engine")
    chatter = await reza.write("Coffee anyone?")
    await reza.write("Yes please", reply_to=chatter["message_id"])
    assert sara.read() == []
    assert any("no ticket's post" in r.getMessage() for r in caplog.records)


async def test_commands_for_other_bots_and_chatter_are_left_alone(desk: TelegramDesk) -> None:
    ali = desk.agent(9001, "Ali")
    await ali.write("/claim@some_other_bot 1")
    await ali.write("Morning all, coffee?")
    (chatter,) = desk.dispatched  # the other bot's command never reached the engine
    assert isinstance(chatter, InboundMessage) and chatter.chat.thread_id is None
    assert desk.replies == [None]
    assert desk.agent_posts() == []  # nobody answered either


async def test_a_customer_who_blocks_the_bot_is_reported_to_the_agents_at_once(
    desk: TelegramDesk,
) -> None:
    sara = desk.customer(7005, "Sara", language_code="en")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    (post,) = posts_about(desk, 1)
    bot = {k: desk.fake.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
    chat = {"id": sara.chat_id, "type": "private", "first_name": "Sara"}
    before = len(desk.agent_posts())

    await desk.send(
        desk.fake.update(
            my_chat_member={
                "chat": chat,
                "from": sara.user,
                "date": 1764662400,
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
            }
        )
    )

    (notice,) = desk.agent_posts()[before:]
    assert "#1" in notice["text"] and "blocked the bot" in notice["text"]
    assert "Reach them another way" in notice["text"]
    assert replied_to(notice) == post["message_id"]
