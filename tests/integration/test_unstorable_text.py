"""What a chat platform delivers is kept, whatever characters it holds: NUL (which PostgreSQL's
text cannot store: a Telegram message holding one was answered with an apology and lost there,
while SQLite kept it) and lone surrogates become U+FFFD, identically on every database."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.copy import text as copy
from conversations.messages import ChatRef, InboundMessage, Platform, UserRef, storable
from conversations.models import Message
from conversations.models import Person as PersonRow
from tests.harness import DeskHarness

# Everything a person can type, and what a forged or broken payload can carry besides.
_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\x00", "\ud800", "\udfff", "\u200c", "\u202e", "ی", "ك", "۴", "😀"]),
)


async def test_nul_and_lone_surrogates_are_kept_as_replacement_characters(
    desk: DeskHarness,
) -> None:
    # As the Slack or Telegram adapter hands it over (the harness delivers to a web sender).
    sara = UserRef(Platform.WEB, "7001", "Sa\x00ra \ud800")
    chat = ChatRef(Platform.WEB, "chat-7001")
    text = "The printer\x00 on floor three \udc00 is jammed again and nobody can print"

    await desk.dispatch(InboundMessage("880001", chat, sara, text, desk.clock()))
    await desk.outbox.deliver_due()

    said = [m.text for m in desk.sender.sent if m.chat == chat]
    assert said and copy("en", "error.generic") not in said
    inbound = [m for m in await desk.rows(Message) if m.direction == "in"]
    assert [m.text for m in inbound] == [storable(text)]
    assert "\ufffd" in inbound[0].text and "\x00" not in inbound[0].text
    (person,) = await desk.rows(PersonRow)
    assert person.display_name == "Sa\ufffdra \ufffd"


@settings(
    max_examples=40,
    derandomize=True,  # the same examples in every run: CI is never red by chance
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(_ALPHABET, min_size=1, max_size=300), name=st.text(_ALPHABET, max_size=40))
async def test_any_text_from_a_chat_platform_is_taken(
    desk: DeskHarness, text: str, name: str
) -> None:
    user_id = uuid.uuid4().hex  # each example is a new person in a chat of their own
    chat = ChatRef(Platform.WEB, user_id)
    sender = UserRef(Platform.WEB, user_id, name)

    await desk.dispatch(InboundMessage(uuid.uuid4().hex, chat, sender, text, desk.clock()))
    await desk.outbox.deliver_due()

    said = [m.text for m in desk.sender.sent if m.chat == chat]
    assert said and copy("en", "error.generic") not in said
