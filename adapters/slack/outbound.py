"""Boundary types -> Slack: Block Kit rendering and the ``Sender`` for ``Platform.SLACK``.

Rendering is pure (``render_*``); ``SlackSender`` makes the Web API calls. The limits honoured
(https://docs.slack.dev/reference/block-kit/blocks, .../reference/methods/chat.postMessage):

- a section's text is at most 3000 characters, a message at most 50 blocks, an actions block at
  most 25 elements; a button's text at most 75 characters, its value 2000, its action_id 255;
- ``text`` is always set (notifications, screen readers, clients without Block Kit) and stays
  under chat.postMessage's 40000 characters: a longer message is posted as several, each with at
  most ``SECTIONS_PER_POST`` sections.

Delivery errors follow ``conversations.delivery``: HTTP 429 becomes ``DeliveryError(retry_after=``
the ``Retry-After`` header``)``; errors no retry can fix (the channel is gone, the bot was removed,
the account is deactivated...) are ``permanent``; everything else is retried by the Outbox with
backoff. The Web API client is built without retry handlers, so the SDK never retries behind the
Outbox's back.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.inbound import ACTION_INDEX_SEPARATOR
from conversations.actions import AgentAction
from conversations.messages import Button, DeliveryError, OutboundMessage
from conversations.views import Desk, TicketDetail

log = logging.getLogger(__name__)

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_FIELD_CHARS = 2000
MAX_TEXT_CHARS = 40000
#: 13 x 3000 = 39000 characters: a post's fallback ``text`` (its sections joined) stays under 40000,
#: and 13 sections leave room for the buttons within 50 blocks.
SECTIONS_PER_POST = 13
#: Buttons fitting the blocks a post has left after its sections.
MAX_BUTTONS = (MAX_BLOCKS - SECTIONS_PER_POST) * MAX_ACTIONS_ELEMENTS

#: Slack errors no retry can fix: https://docs.slack.dev/reference/methods/chat.postMessage#errors
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "ekm_access_denied",
        "invalid_blocks",
        "invalid_blocks_format",
        "is_archived",
        "is_inactive",
        "messages_tab_disabled",
        "msg_too_long",
        "no_text",
        "not_in_channel",
        "restricted_action",
        "restricted_action_non_threadable_channel",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "team_access_not_granted",
        "too_many_attachments",
        "user_not_found",
        "user_not_in_channel",
    }
)

ACTIVE_STATUSES = frozenset({"new", "open", "pending"})


# -- text ------------------------------------------------------------------------------------------


def render_mrkdwn(text: str) -> str:
    """Our Markdown subset -> Slack mrkdwn. ``*bold*``, ``_italic_`` and ```code``` are the same
    in both, and Slack links bare URLs itself; ``&``, ``<`` and ``>`` are Slack's control
    characters and must be escaped (https://docs.slack.dev/messaging/formatting-message-text),
    which also keeps a requester's text from smuggling in ``<!channel>`` or disguised links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rendered_length(text: str) -> int:
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """``text`` in pieces whose *rendered* length is at most ``limit``, cut at whitespace where
    possible (at line breaks first) and never inside an escape. Pieces are raw text."""
    text = text.strip()
    if not text:
        return []
    if _rendered_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _rendered_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        # The line alone is too long: by words, then by characters.
        for word in _words(line):
            candidate = current + word
            if _rendered_length(candidate) <= limit:
                current = candidate
                continue
            if current.strip():
                pieces.append(current.rstrip())
            current = word.lstrip()
            while _rendered_length(current) > limit:
                cut = _cut(current, limit)
                pieces.append(current[:cut])
                current = current[cut:]
    if current.strip():
        pieces.append(current.rstrip())
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _words(line: str) -> list[str]:
    """A line as words each carrying the whitespace before it."""
    words: list[str] = []
    start = 0
    for index in range(1, len(line) + 1):
        if index == len(line) or (line[index].isspace() and not line[index - 1].isspace()):
            words.append(line[start:index])
            start = index
    return words


def _cut(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` once rendered."""
    used = 0
    for index, char in enumerate(text):
        used += _rendered_length(char)
        if used > limit:
            return max(index, 1)
    return len(text)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters *once rendered*, ending in an ellipsis when cut."""
    if _rendered_length(text) <= limit:
        return text
    return text[: _cut(text, limit - 1)].rstrip() + "…"


# -- blocks ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlackPost:
    """One chat.postMessage / chat.update body: fallback text and blocks."""

    text: str
    blocks: tuple[Mapping[str, Any], ...] = field(default=())

    def blocks_json(self) -> list[dict[str, Any]]:
        return [dict(block) for block in self.blocks]


def encode_action_id(action_id: str, index: int) -> str:
    """Block Kit wants action ids unique within a message, and the engine reuses them ("faq.ok"
    on each suggestion), so each gets its index; ``inbound.decode_action_id`` removes it."""
    suffix = f"{ACTION_INDEX_SEPARATOR}{index}"
    return action_id[: MAX_ACTION_ID - len(suffix)] + suffix


def render_button(button: Button, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate_plain(button.label, MAX_BUTTON_TEXT)},
        "action_id": encode_action_id(button.action_id, index),
    }
    if button.value:
        if len(button.value) > MAX_BUTTON_VALUE:  # Button promises short ids; do not send junk
            log.warning("button value of %r longer than Slack allows; cut", button.action_id)
        element["value"] = button.value[:MAX_BUTTON_VALUE]
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def truncate_plain(text: str, limit: int) -> str:
    text = text.strip() or "…"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_actions(buttons: Sequence[Button]) -> list[dict[str, Any]]:
    if len(buttons) > MAX_BUTTONS:
        log.warning(
            "%d buttons on one message; Slack shows the first %d", len(buttons), MAX_BUTTONS
        )
        buttons = buttons[:MAX_BUTTONS]
    elements = [render_button(button, index) for index, button in enumerate(buttons)]
    return [
        {"type": "actions", "elements": elements[start : start + MAX_ACTIONS_ELEMENTS]}
        for start in range(0, len(elements), MAX_ACTIONS_ELEMENTS)
    ]


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def render_message(
    message: OutboundMessage,
    *,
    extra_buttons: Sequence[Button] = (),
    buttons_on_first: bool = False,
) -> list[SlackPost]:
    """One outbound message -> one Slack post, or several when the text is too long for one.
    The buttons go on the last post (after the text they answer), or on the first for a ticket's
    root post in the agent channel, whose Claim button must be on the post the thread hangs from."""
    sections = [render_mrkdwn(piece) for piece in split_text(message.text)]
    groups = [
        sections[start : start + SECTIONS_PER_POST]
        for start in range(0, len(sections), SECTIONS_PER_POST)
    ] or [[]]
    buttons = (*message.buttons, *extra_buttons)
    actions = render_actions(buttons)
    carrier = 0 if buttons_on_first else len(groups) - 1
    posts = []
    for index, group in enumerate(groups):
        blocks = [section(text) for text in group]
        if index == carrier:
            blocks.extend(actions)
        text = "\n".join(group)
        if not text:  # buttons only: ``text`` must still say something
            text = " | ".join(render_mrkdwn(button.label) for button in buttons) or " "
        posts.append(SlackPost(text=text, blocks=tuple(blocks)))
    return posts


def root_buttons(ticket_id: int, *, claim: bool = True) -> tuple[Button, ...]:
    """The buttons on a ticket's root post in the agent channel while it is active."""
    buttons = [Button("Resolve", AgentAction.RESOLVE, str(ticket_id))]
    if claim:
        buttons.insert(0, Button("Claim", AgentAction.CLAIM, str(ticket_id), "primary"))
    return tuple(buttons)


def render_ticket_root(detail: TicketDetail) -> SlackPost:
    """A ticket's root post as it stands now (``chat.update`` keeps it current): subject and
    description, status, priority, assignee and requester, FAQs tried, and Claim/Resolve while the
    ticket is active. The labels are Slack-side chrome in English; the engine's own posts in the
    thread are in the agent team's language."""
    ticket = detail.ticket
    heading = f"*#{ticket.id} {render_mrkdwn(truncate(ticket.subject, 300))}*"
    description = render_mrkdwn(truncate(detail.description, MAX_SECTION_CHARS - 400))
    fields = [
        ("Status", ticket.status),
        ("Priority", ticket.priority),
        ("Assignee", ticket.assignee_name or "-"),
        ("Requester", f"{ticket.requester_name} ({ticket.channel})"),
    ]
    blocks: list[dict[str, Any]] = [
        section(f"{heading}\n{description}" if description else heading),
        {
            "type": "section",
            "fields": [
                {
                    "type": "mrkdwn",
                    "text": f"*{label}:* {render_mrkdwn(truncate(value, MAX_FIELD_CHARS - 40))}",
                }
                for label, value in fields
            ],
        },
    ]
    if detail.faqs_tried:
        tried = render_mrkdwn(truncate(", ".join(detail.faqs_tried), MAX_SECTION_CHARS - 40))
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"FAQs tried: {tried}"}]}
        )
    if ticket.status in ACTIVE_STATUSES:
        blocks.extend(render_actions(root_buttons(ticket.id)))
    text = (
        f"#{ticket.id} {render_mrkdwn(truncate(ticket.subject, 300))}: {ticket.status}, "
        f"{ticket.priority}, {render_mrkdwn(ticket.assignee_name or 'unassigned')}"
    )
    return SlackPost(text=text, blocks=tuple(blocks))


# -- errors ----------------------------------------------------------------------------------------


def delivery_error(error: SlackApiError) -> DeliveryError:
    """A Web API refusal as the Outbox understands it."""
    response = error.response
    status = getattr(response, "status_code", None)
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, Mapping) else None
    if status == 429 or code == "ratelimited":
        headers = getattr(response, "headers", None) or {}
        retry_after = _retry_after(headers)
        return DeliveryError(
            f"slack: rate limited (retry after {retry_after}s)", retry_after=retry_after
        )
    if code in PERMANENT_ERRORS:
        return DeliveryError(f"slack: {code}", permanent=True)
    return DeliveryError(f"slack: {code or f'HTTP {status}'}")


def _retry_after(headers: Mapping[str, Any]) -> float:
    value = None
    for name, header in headers.items():  # case-insensitive, whatever mapping the SDK hands over
        if str(name).lower() == "retry-after":
            value = header
            break
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


# -- the sender ------------------------------------------------------------------------------------


class TicketPosts:
    """Which ticket an agent-channel post belongs to, for the emoji shortcuts: post ts ->
    (ticket id, root ts). Best effort: filled as this process sends, bounded, forgotten on restart
    (a reaction on an older post then does nothing; the slash command always works)."""

    def __init__(self, *, capacity: int = 10_000) -> None:
        self._posts: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._capacity = capacity

    def remember(self, ts: str, ticket_id: int, root_ts: str) -> None:
        self._posts[ts] = (ticket_id, root_ts)
        self._posts.move_to_end(ts)
        while len(self._posts) > self._capacity:
            self._posts.popitem(last=False)

    def ticket_of(self, ts: str) -> tuple[int, str] | None:
        return self._posts.get(ts)


class SlackSender:
    """The ``Sender`` for ``Platform.SLACK``: one outbound message -> chat.postMessage (several for
    very long texts); returns the ``ts`` of the (first) post, which the Outbox stores as the
    platform message id and later passes back as ``thread_id`` for the ticket's thread.

    A later post in a ticket's thread also refreshes the root post (``chat.update``) from
    ``desk.ticket``, so the ticket's status, priority and assignee stay visible where agents look.
    That refresh is best effort: if it fails the next post refreshes it again."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        agent_channel: str,
        desk: Desk,
        posts: TicketPosts | None = None,
    ) -> None:
        self._client = client
        self._agent_channel = agent_channel
        self._desk = desk
        self.posts = posts if posts is not None else TicketPosts()
        # A long message split into several posts that failed part-way: what was sent already,
        # so the Outbox's retry does not post the first parts twice.
        self._partial: OrderedDict[OutboundMessage, tuple[str, int]] = OrderedDict()

    async def send(self, message: OutboundMessage) -> str:
        channel = message.chat.chat_id
        thread = message.chat.thread_id
        in_agent_channel = channel == self._agent_channel and message.ticket_id is not None
        is_root = in_agent_channel and thread is None
        extra: tuple[Button, ...] = ()
        if is_root and message.ticket_id is not None:
            if not any(button.action_id == AgentAction.RESOLVE for button in message.buttons):
                extra = root_buttons(message.ticket_id, claim=False)
        posts = render_message(message, extra_buttons=extra, buttons_on_first=is_root)
        first_ts, done = self._partial.pop(message, ("", 0))
        for index, post in enumerate(posts):
            if index < done:
                continue
            # The rest of a long root post goes into its thread rather than the channel.
            post_thread = thread or (first_ts if is_root and index > 0 else None)
            try:
                ts = await self._post(channel, post, post_thread)
            except BaseException:
                if index > 0:
                    self._remember_partial(message, first_ts, index)
                raise
            if index == 0:
                first_ts = ts
        if in_agent_channel and message.ticket_id is not None:
            self.posts.remember(first_ts, message.ticket_id, thread or first_ts)
            if thread is not None:
                await self._refresh_root(message.ticket_id, thread)
        return first_ts

    def _remember_partial(self, message: OutboundMessage, first_ts: str, done: int) -> None:
        self._partial[message] = (first_ts, done)
        while len(self._partial) > 100:
            self._partial.popitem(last=False)

    async def _post(self, channel: str, post: SlackPost, thread_ts: str | None) -> str:
        arguments: dict[str, Any] = {
            "channel": channel,
            "text": post.text,
            "blocks": post.blocks_json(),
            # KB answers carry links; a preview card under every suggestion is noise.
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        try:
            response = await self._client.chat_postMessage(**arguments)
        except SlackApiError as error:
            raise delivery_error(error) from error
        ts = response.get("ts")
        if not isinstance(ts, str) or not ts:
            raise DeliveryError("slack: chat.postMessage answered without a ts")
        return ts

    async def _refresh_root(self, ticket_id: int, root_ts: str) -> None:
        try:
            detail = await self._desk.ticket(ticket_id)
            if detail is None:
                return
            post = render_ticket_root(detail)
            await self._client.chat_update(
                channel=self._agent_channel, ts=root_ts, text=post.text, blocks=post.blocks_json()
            )
        except Exception:
            log.warning("could not refresh the root post of ticket %s", ticket_id, exc_info=True)

    async def post_ephemeral(
        self, *, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> None:
        """An answer only ``user`` sees (a button press or emoji in the agent channel). Not
        recorded in the outbox, so a failure is logged, not retried."""
        arguments: dict[str, Any] = {
            "channel": channel,
            "user": user,
            "text": render_mrkdwn(truncate(text, MAX_TEXT_CHARS - 1000)),
        }
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        try:
            await self._client.chat_postEphemeral(**arguments)
        except Exception:
            log.warning("could not answer %s ephemerally in %s", user, channel, exc_info=True)
