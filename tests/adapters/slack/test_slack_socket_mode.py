"""Socket Mode: the same listeners, fed over a WebSocket instead of HTTP."""

from __future__ import annotations

import pytest

from adapters.slack.app import SlackStartError
from tests.fakes.slack_api import (
    APP_TOKEN,
    block_actions_payload,
    command_payload,
    dm_event,
    event_callback,
    unused_interaction_payloads,
)

QUESTION = "I forgot my password and cannot log in"


async def test_socket_mode_events_commands_and_buttons_are_acked_and_handled(make_desk) -> None:
    desk = await make_desk(app_token=APP_TOKEN)
    fake = desk.fake

    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN  # the app-level token, not the bot token
    await fake.wait_for(lambda: fake.socket_connections == 1)

    # An Events API envelope: acknowledged, then handled.
    envelope = await fake.send_envelope(
        "events_api", event_callback(dm_event("U0SARA", "D0SARA", QUESTION))
    )
    ack = await fake.wait_for_ack(envelope)
    assert ack == {"envelope_id": envelope}
    await desk.settle()
    assert "I'm Deskbot" in fake.posts("D0SARA")[0].text

    # A button press.
    button = fake.find_button("Talk to a person", channel="D0SARA")
    envelope = await fake.send_envelope(
        "interactive",
        block_actions_payload(
            user_id="U0SARA",
            user_name="sara",
            button=button,
            response_url=fake.response_url("press"),
        ),
    )
    await fake.wait_for_ack(envelope)
    await desk.settle()
    assert "I've opened ticket *#1* for you." in fake.texts("D0SARA")

    # A slash command: acked empty, answered ephemerally through its response_url.
    envelope = await fake.send_envelope(
        "slash_commands",
        command_payload(
            user_id="U0ALI",
            user_name="ali",
            channel_id=desk.agent_channel,
            text="claim 1",
            response_url=fake.response_url("claim"),
        ),
    )
    assert await fake.wait_for_ack(envelope) == {"envelope_id": envelope}
    await desk.settle()
    await fake.wait_for(lambda: any(r.name == "claim" for r in fake.responses))
    (response,) = [r for r in fake.responses if r.name == "claim"]
    assert response.body == {"text": "You claimed #1.", "response_type": "ephemeral"}

    # A redelivered envelope (same event_id) takes effect once.
    envelope_body = event_callback(dm_event("U0SARA", "D0SARA", "Any news?"), event_id="Ev0SOCK1")
    for attempt in (0, 1):
        envelope = await fake.send_envelope("events_api", envelope_body, retry_attempt=attempt)
        await fake.wait_for_ack(envelope)
        await desk.settle()
    relayed = [p for p in fake.posts(desk.agent_channel) if "Any news?" in p.text]
    assert len(relayed) == 1


async def test_a_refused_app_token_fails_at_start(make_desk) -> None:
    with pytest.raises(SlackStartError, match="SLACK_APP_TOKEN"):
        await make_desk(app_token="xapp-wrong")


async def test_a_refused_bot_token_fails_at_start(make_desk, fake_slack) -> None:
    fake_slack.fail_next("auth.test", "invalid_auth")
    with pytest.raises(SlackStartError, match="SLACK_BOT_TOKEN"):
        await make_desk()


async def test_socket_mode_acks_interactivity_deskbot_does_not_use(make_desk) -> None:
    desk = await make_desk(app_token=APP_TOKEN)
    fake = desk.fake
    await fake.wait_for(lambda: fake.socket_connections == 1)

    for kind, payload in sorted(unused_interaction_payloads().items()):
        envelope = await fake.send_envelope("interactive", payload)
        ack = await fake.wait_for_ack(envelope)  # unacked, Slack retries it and then gives up
        assert ack["envelope_id"] == envelope, kind
    await desk.settle()
    assert fake.posts() == []
