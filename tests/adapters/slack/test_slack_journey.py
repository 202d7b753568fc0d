"""An employee's whole journey through Slack, and the agent's side of it, on the real SDK, the fake
Slack and the real engine."""

from __future__ import annotations

from sqlalchemy import select

from conversations.models import Survey, Ticket
from tests.fakes.slack_api import channel_message_event, mention_event

PASSWORD = "I forgot my password and cannot log in"
VPN = "The VPN will not connect from home, error 809"


async def test_employee_journey_from_dm_question_to_rating(desk, sessions) -> None:
    fake, agents = desk.fake, desk.agent_channel
    sara = desk.dm_channel("U0SARA")

    # A question by DM: greeting, then FAQ suggestions as Block Kit with buttons.
    answer = await desk.dm("U0SARA", PASSWORD)
    assert answer.status == 200 and answer.body == ""
    posts = fake.posts(sara)
    assert "I'm Deskbot" in posts[0].text
    suggestions = [p for p in posts if "This solved it" in p.button_labels()]
    assert 1 <= len(suggestions) <= 3
    assert "password.acme.example" in suggestions[0].text
    for post in suggestions:
        assert post.blocks[0]["type"] == "section"
        assert post.blocks[0]["text"]["type"] == "mrkdwn"
        # Unique action ids within the message: our id plus the button's index.
        assert [b["action_id"] for b in post.buttons()] == ["faq.ok:0", "faq.no:1"]
        assert post.buttons()[0]["style"] == "primary"
        assert post.text  # the plain-text fallback is always there
    assert fake.find_button("Talk to a person", channel=sara)

    # "This solved it" -> thanks, and no ticket.
    await desk.press("U0SARA", fake.find_button("This solved it", channel=sara, nth=0))
    assert "Glad that helped" in fake.posts(sara)[-1].text
    assert fake.posts(agents) == []

    # Another question, handed to a person.
    await desk.dm("U0SARA", VPN)
    await desk.press("U0SARA", fake.find_button("Talk to a person", channel=sara))
    assert "I've opened ticket *#1* for you." in fake.texts(sara)
    assert fake.posts(sara)[-1].button_labels() == ["Low", "Normal", "High", "Urgent"]

    root = desk.root_post(1)
    assert root.thread_ts is None
    assert "*New ticket #1*" in root.text and "Sara" in root.text and "809" in root.text
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in root.buttons()] == [
        ("Claim", "claim:0", "1"),
        ("Resolve", "resolve:1", "1"),
    ]

    # Ali clicks Claim: an answer only he sees, Sara is told, the root post shows him.
    await desk.press("U0ALI", fake.find_button("Claim", channel=agents))
    assert desk.ephemerals("U0ALI") == ["You claimed #1."]
    assert "Ali is looking at your request *#1*" in fake.texts(sara)
    thread = fake.posts(agents, thread_ts=root.ts)
    assert thread[-1].text == "*#1* claimed by Ali."
    update = fake.calls_to("chat.update")[-1]
    assert update.args["channel"] == agents and update.args["ts"] == root.ts
    assert "*Assignee:* Ali" in update.section_texts()
    assert "*Status:* open" in update.section_texts()
    assert update.button_labels() == ["Claim", "Resolve"]

    # Ali writes in the ticket's thread: Sara gets it in her DM.
    await desk.in_thread("U0ALI", root.ts, "Hi Sara, please restart the VPN client")
    assert fake.posts(sara)[-1].text == "*Ali* (ticket #1): Hi Sara, please restart the VPN client"

    # Sara answers in the DM: it appears in the ticket's thread. (Slack escapes &, < and > on
    # the wire; the engine gets what she typed, and it is escaped again on the way out.)
    await desk.dm("U0SARA", "Still failing with error 809 &amp; a &lt;warning&gt;")
    relayed = fake.posts(agents, thread_ts=root.ts)[-1]
    assert relayed.content_type == "application/json"  # as slack_sdk posts chat.postMessage
    assert relayed.text == "*#1* Sara: Still failing with error 809 &amp; a &lt;warning&gt;"

    # An internal note stays in the thread.
    before = len(fake.posts(sara))
    await desk.in_thread("U0ALI", root.ts, "note: checked the VPN gateway logs")
    assert len(fake.posts(sara)) == before
    assert fake.posts(agents, thread_ts=root.ts)[-1].text == (
        "*#1* internal note by Ali: checked the VPN gateway logs"
    )

    # /desk resolve: the answer is ephemeral; Sara gets the resolution and the rating buttons.
    assert await desk.desk_command("U0ALI", "resolve 1 Fixed") == (
        "#1 is resolved; the requester was told."
    )
    assert "Ticket *#1* is resolved: Fixed" in fake.texts(sara)
    rating = fake.posts(sara)[-1]
    assert rating.button_labels() == ["1", "2", "3", "4", "5"]
    assert [b["value"] for b in rating.buttons()] == [f"1:{n}" for n in range(1, 6)]
    resolved = fake.calls_to("chat.update")[-1]
    assert resolved.args["ts"] == root.ts
    assert "*Status:* resolved" in resolved.section_texts()
    assert resolved.buttons() == []  # nothing left to claim or resolve

    # Pressing 5 is stored.
    await desk.press("U0SARA", fake.find_button("5", channel=sara))
    async with sessions() as session:
        survey = await session.scalar(select(Survey).where(Survey.ticket_id == 1))
        ticket = await session.get(Ticket, 1)
    assert survey is not None and survey.rating == 5
    assert ticket is not None and ticket.status == "resolved"
    assert ticket.assignee_key == "slack:U0ALI"
    assert "rated 5/5" in fake.posts(agents, thread_ts=root.ts)[-1].text
    assert "Thank you!" in fake.posts(sara)[-1].text

    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert [(e.kind, e.author) for e in detail.entries] == [
        ("requester", "Sara"),
        ("agent", "Ali"),
        ("requester", "Sara"),
        ("note", "Ali"),
        ("system", "Ali"),
    ]
    assert detail.entries[2].text == "Still failing with error 809 & a <warning>"


async def test_a_mention_in_a_channel_is_answered_in_its_thread(desk) -> None:
    fake = desk.fake

    mention = mention_event("U0SARA", "C0GENERAL", PASSWORD)
    # Slack sends the same words as a message.channels event too: it must not count twice.
    echo = channel_message_event("U0SARA", "C0GENERAL", mention["text"])
    assert (await desk.slack.event(mention)).status == 200
    assert (await desk.slack.event(echo)).status == 200
    await desk.settle()

    posts = fake.posts("C0GENERAL")
    assert posts and all(p.thread_ts == mention["ts"] for p in posts)
    assert "I'm Deskbot" in posts[0].text
    assert sum("I'm Deskbot" in p.text for p in posts) == 1
    assert fake.find_button("This solved it", channel="C0GENERAL")

    # A later reply in that thread, without a mention, joins the conversation...
    await desk.in_thread("U0SARA", mention["ts"], "Thanks, I will try that", channel="C0GENERAL")
    assert len(fake.posts("C0GENERAL")) > len(posts)
    count = len(fake.posts("C0GENERAL"))
    # ...but a colleague chatting in the thread is not taken for the requester.
    await desk.in_thread("U0ALI", mention["ts"], "same problem here", channel="C0GENERAL")
    assert len(fake.posts("C0GENERAL")) == count

    # A button in the thread is answered in the thread.
    await desk.press("U0SARA", fake.find_button("Talk to a person", channel="C0GENERAL"))
    opened = fake.posts("C0GENERAL")[-1]
    assert "ticket *#1*" in opened.text and opened.thread_ts == mention["ts"]
    assert "(slack)" in desk.root_post(1).text

    # The agent's reply reaches the requester in that same thread.
    root = desk.root_post(1)
    await desk.in_thread("U0ALI", root.ts, "Looking into it")
    answer = fake.posts("C0GENERAL")[-1]
    assert answer.text == "*Ali* (ticket #1): Looking into it"
    assert answer.thread_ts == mention["ts"]
