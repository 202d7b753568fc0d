"""Nothing Slack sends is acknowledged before it is taken: while the database cannot take an
event, Slack gets no ack (a 500 over HTTP, no envelope ack over Socket Mode) and delivers it
again; the redelivery takes effect once. Slash commands, which Slack never sends again, are
answered with a notice to run them again."""

from __future__ import annotations

from conversations.copy import text
from conversations.messages import ChatRef, Platform
from tests.adapters.slack.conftest import AGENT_CHANNEL
from tests.fakes.slack_api import APP_TOKEN, command_payload, dm_event, event_callback
from tests.outage import Outage

QUESTION = "How do I reset my password?"


async def _inbound(desk, chat_id: str) -> list[str]:
    lines = await desk.reads.transcript(ChatRef(Platform.SLACK, chat_id))
    return [line.text for line in lines if line.direction == "in"]


async def test_an_http_event_the_database_cannot_take_is_a_500_then_taken_once(
    desk, outage: Outage
) -> None:
    envelope = event_callback(dm_event("U0SARA", "D0SARA", QUESTION), event_id="Ev0OUTAGE01")
    await outage.begin()
    refused = await desk.slack.send_event(envelope)
    await outage.end()
    assert refused.status == 500, refused
    await desk.settle()
    assert desk.fake.posts("D0SARA") == []  # no apology for what was not taken

    for retry in (1, 2):  # Slack's retries of the very same event
        again = await desk.slack.send_event(envelope, retry_num=retry)
        assert again.status == 200, again
        await desk.settle()
    assert await _inbound(desk, "D0SARA") == [QUESTION]
    assert sum("I'm Deskbot" in p.text for p in desk.fake.posts("D0SARA")) == 1


async def test_a_socket_mode_event_the_database_cannot_take_is_not_acked(
    make_desk, outage: Outage
) -> None:
    desk = await make_desk(app_token=APP_TOKEN)
    fake = desk.fake
    await fake.wait_for(lambda: fake.socket_connections == 1)
    body = event_callback(dm_event("U0SARA", "D0SARA", QUESTION), event_id="Ev0OUTAGE02")

    await outage.begin()
    first = await fake.send_envelope("events_api", body)
    await desk.attempts.wait("Ev0OUTAGE02", "unavailable")
    await outage.end()
    retried = await fake.send_envelope("events_api", body, retry_attempt=1)
    await fake.wait_for_ack(retried)
    await desk.settle()

    assert first not in fake.acks  # acks come back in order: the first one would be here
    assert await _inbound(desk, "D0SARA") == [QUESTION]


async def test_a_slash_command_the_database_cannot_take_says_to_run_it_again(
    desk, outage: Outage
) -> None:
    payload = command_payload(
        user_id="U0ALI",
        user_name="ali",
        channel_id=AGENT_CHANNEL,
        text="queue",
        response_url=desk.fake.response_url("queue"),
    )
    await outage.begin()
    answer = await desk.slack.command(payload)
    await outage.end()
    assert answer.status == 200, answer
    assert text("en", "error.unavailable") in answer.body

    assert "queue" in (await desk.desk_command("U0ALI", "queue")).lower()
