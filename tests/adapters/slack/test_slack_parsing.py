"""The pure halves of the adapter: Slack payloads in, Block Kit out. No server needed."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.inbound import (
    MessageKind,
    decode_action_id,
    mention_chat,
    parse_actions,
    parse_command,
    parse_user,
    parse_usergroups,
    plain_text,
    route_message,
    strip_mention,
)
from adapters.slack.outbound import (
    encode_action_id,
    render_message,
    render_mrkdwn,
    render_ticket_root,
    split_text,
)
from conversations.messages import Button, ChatRef, OutboundMessage, Platform, UserRef
from conversations.views import TicketDetail, TicketView

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AGENTS = "C0AGENTS01"
BOT = "U0DESKBOT"
SARA = UserRef(Platform.SLACK, "U0SARA", "Sara")


def message(**fields: object) -> dict[str, object]:
    return {"type": "message", "user": "U0SARA", "ts": "1700000000.000100", **fields}


def test_slack_wire_text_becomes_what_was_typed() -> None:
    assert plain_text("a &amp; b &lt;c&gt;") == "a & b <c>"
    assert plain_text("hi <@U0ALI|ali> and <@U0NOOR>") == "hi @ali and @U0NOOR"
    assert plain_text("see <#C0GENERAL|general>, <!here>") == "see #general, @here"
    assert plain_text("<https://acme.example>") == "https://acme.example"
    assert plain_text("<https://acme.example|the portal>") == "the portal (https://acme.example)"
    assert plain_text("<mailto:it@acme.example|it@acme.example>") == "it@acme.example"
    assert plain_text("&amp;lt; stays literal") == "&lt; stays literal"
    assert strip_mention(f"<@{BOT}> my VPN <@{BOT}|deskbot> is down", BOT) == "my VPN   is down"


def test_action_ids_round_trip_through_their_index() -> None:
    for action_id in ("faq.ok", "claim", "rate.skip", "odd:name"):
        assert decode_action_id(encode_action_id(action_id, 3)) == action_id
    assert decode_action_id("legacy") == "legacy"
    assert len(encode_action_id("x" * 300, 12)) == 255


def test_routing_messages() -> None:
    def route(**fields: object):  # type: ignore[no-untyped-def]
        return route_message(message(**fields), agent_channel=AGENTS, bot_user_id=BOT)

    dm = route(channel="D0SARA", channel_type="im", text="hi", thread_ts="1699.1")
    assert dm.kind is MessageKind.DIRECT and dm.chat == ChatRef(Platform.SLACK, "D0SARA")
    thread = route(channel=AGENTS, channel_type="channel", text="hi", thread_ts="1699.1")
    assert thread.kind is MessageKind.AGENT_THREAD
    assert thread.chat == ChatRef(Platform.SLACK, AGENTS, "1699.1")
    other = route(channel="C0GENERAL", channel_type="channel", text="hi", thread_ts="1699.1")
    assert other.kind is MessageKind.CHANNEL_THREAD
    # Not for us: top level in a channel, a thread's root, a mention (its app_mention counts),
    # bots, subtypes.
    assert route(channel=AGENTS, channel_type="channel", text="hi") is None
    assert route(channel=AGENTS, text="hi", thread_ts="1700000000.000100") is None
    assert route(channel="C0G", text=f"<@{BOT}> hi", thread_ts="1699.1") is None
    assert route(channel="D0SARA", channel_type="im", text="x", bot_id="B1") is None
    assert route(channel="D0SARA", channel_type="im", text="x", subtype="message_changed") is None
    assert route(channel="D0SARA", channel_type="im", text="x", user=BOT) is None
    assert route(channel="D0SARA", channel_type="im", text="x", subtype="file_share") is not None


def test_mentions_are_answered_in_their_thread_except_in_the_agent_channel() -> None:
    top = {"channel": "C0G", "ts": "1.1"}
    assert mention_chat(top, agent_channel=AGENTS) == ChatRef(Platform.SLACK, "C0G", "1.1")
    nested = {"channel": "C0G", "ts": "1.2", "thread_ts": "1.1"}
    assert mention_chat(nested, agent_channel=AGENTS) == ChatRef(Platform.SLACK, "C0G", "1.1")
    assert mention_chat({"channel": AGENTS, "ts": "1.1"}, agent_channel=AGENTS) is None


def test_slash_command_text_becomes_an_agent_command() -> None:
    agents = ChatRef(Platform.SLACK, AGENTS)

    def parse(text: str):  # type: ignore[no-untyped-def]
        body = {"text": text, "trigger_id": "13345224609.738474920.8088930838d88f008e0"}
        return parse_command(body, agent_chat=agents, sender=SARA, now=NOW)

    command = parse("claim 12")
    assert (command.name, command.args, command.chat) == ("claim", "12", agents)
    assert command.event_id == "13345224609.738474920.8088930838d88f008e0"
    assert (parse("").name, parse("").args) == ("help", "")
    reply = parse("Reply 12 use &lt;Ctrl&gt; &amp; F5")
    assert (reply.name, reply.args) == ("reply", "12 use <Ctrl> & F5")


def test_button_presses_keep_our_action_id_and_value() -> None:
    body = {
        "type": "block_actions",
        "user": {"id": "U0SARA"},
        "container": {"type": "message", "message_ts": "1700.5", "channel_id": "D0SARA"},
        "channel": {"id": "D0SARA", "name": "directmessage"},
        "message": {"ts": "1700.5", "thread_ts": "1700.1"},
        "actions": [
            {"type": "button", "action_id": "rate:4", "value": "3:5", "action_ts": "1700.9"}
        ],
    }
    (press,) = parse_actions(body, agent_channel=AGENTS, sender=SARA, now=NOW)
    assert (press.action_id, press.value) == ("rate", "3:5")
    assert press.chat == ChatRef(Platform.SLACK, "D0SARA")  # DM threads are flattened
    assert press.event_id == "1700.5:1700.9"


def test_users_and_groups() -> None:
    info = {"name": "sara", "real_name": "Sara K", "locale": "fa-IR", "profile": {}}
    user = parse_user("U0SARA", info, groups=frozenset({"slack-usergroup:S1"}))
    assert (user.display_name, user.locale, user.key) == ("Sara K", "fa-IR", "slack:U0SARA")
    assert parse_user("U0X", None, fallback_name="x").display_name == "x"
    groups = parse_usergroups(
        [
            {"id": "S1", "users": ["U1", "U2"]},
            {"id": "S2", "users": ["U2"]},
            {"id": "S3", "users": ["U1"], "date_delete": 1700000000},
        ]
    )
    assert groups == {
        "U1": frozenset({"slack-usergroup:S1"}),
        "U2": frozenset({"slack-usergroup:S1", "slack-usergroup:S2"}),
    }


def test_mrkdwn_escapes_only_slacks_control_characters() -> None:
    assert render_mrkdwn("*a* _b_ `c` & <d> é") == "*a* _b_ `c` &amp; &lt;d&gt; é"


def test_split_text_counts_escapes_and_prefers_line_breaks() -> None:
    text = "\n".join(["&" * 100] * 9)  # 500 rendered characters a line
    pieces = split_text(text, limit=1200)
    assert [len(render_mrkdwn(p)) for p in pieces] == [1001, 1001, 1001, 1001, 500]
    assert "\n".join(pieces) == text
    long_word = "y" * 2500
    assert [len(p) for p in split_text(long_word, limit=1000)] == [1000, 1000, 500]


def test_render_message_puts_buttons_after_the_text() -> None:
    (post,) = render_message(
        OutboundMessage(ChatRef(Platform.SLACK, "D1"), "Pick one", (Button("A", "faq.ok", "1"),))
    )
    assert post.text == "Pick one"
    assert [b["type"] for b in post.blocks] == ["section", "actions"]


def test_root_post_shows_the_ticket_as_it_stands() -> None:
    view = TicketView(
        id=4,
        subject="VPN <down>",
        status="pending",
        priority="high",
        requester_name="Sara",
        channel=Platform.SLACK,
        assignee_name="Ali",
        lang="en",
        created_at=NOW,
        updated_at=NOW,
    )
    post = render_ticket_root(TicketDetail(view, "It fails & drops", ("vpn-setup",), ()))
    blocks = post.blocks_json()
    assert blocks[0]["text"]["text"] == "*#4 VPN &lt;down&gt;*\nIt fails &amp; drops"
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert fields == [
        "*Status:* pending",
        "*Priority:* high",
        "*Assignee:* Ali",
        "*Requester:* Sara (slack)",
    ]
    assert blocks[2]["type"] == "context"
    assert [e["action_id"] for e in blocks[3]["elements"]] == ["claim:0", "resolve:1"]
    assert post.text == "#4 VPN &lt;down&gt;: pending, high, Ali"
