"""Deskbot's Markdown subset -> Telegram HTML, message splitting and inline keyboards.

Pure functions, no network: the rules here are tested without a server.

Telegram's HTML mode (https://core.telegram.org/bots/api#html-style) wants every ``<``, ``>`` and
``&`` that is not markup escaped, so text is escaped first and only the subset's own markers become
tags: ``*bold*`` -> ``<b>``, ``_italic_`` -> ``<i>``, ``` `code` ``` -> ``<code>``. Bare URLs stay
text (Telegram links them itself). The rules match the web chat's ``static/markdown.js``: markers
glued to letters (``snake_case_names``, ``2*3*4``) and anything inside a URL or a code span stay
literal.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.messages import Button

#: https://core.telegram.org/bots/api#sendmessage: "1-4096 characters after entities parsing".
MAX_MESSAGE_CHARS = 4096
#: https://core.telegram.org/bots/api#inlinekeyboardbutton: callback_data is 1-64 bytes.
MAX_CALLBACK_DATA_BYTES = 64
#: https://core.telegram.org/bots/api#answercallbackquery: the notification text, 0-200 chars.
MAX_CALLBACK_ANSWER_CHARS = 200
#: https://core.telegram.org/bots/api#createforumtopic: the topic name, 1-128 characters.
MAX_TOPIC_NAME_CHARS = 128
#: ``action_id`` and ``value`` travel as one callback_data string, joined by this.
CALLBACK_SEPARATOR = "|"

# Buttons share a row while their labels together stay this short: ratings 1-5 fit on one row,
# "This solved it" + "Not what I need" on another, long Persian labels get rows of their own.
_ROW_CHARS = 30
_ROW_BUTTONS = 5

_CODE = re.compile(r"`([^`\n]+)`")
_URL = re.compile(r"https?://[^\s<>\"'`]+")
# The closing marker must follow a non-space, non-marker character: "*bold*", not "* list *".
_EMPHASIS = re.compile(r"\*(?=[^\s*])((?:[^*\n]*?[^\s*])?)\*|_(?=[^\s_])((?:[^_\n]*?[^\s_])?)_")
_URL_TRAILING = ".,;:!?،؛؟"
_TAG = re.compile(r"<[^>]*>")


class ButtonError(ValueError):
    """A button that cannot be expressed as Telegram callback data. A bug, not a platform hiccup:
    retrying cannot help."""


# -- Markdown subset -> HTML -------------------------------------------------------------------


def render_html(text: str) -> str:
    """The Markdown subset as Telegram HTML (``parse_mode="HTML"``)."""
    return "\n".join(_render_line(line) for line in text.split("\n"))


def render_plain(text: str) -> str:
    """The Markdown subset as plain text: markers gone, words kept (toasts, topic names)."""
    return html.unescape(_TAG.sub("", render_html(text)))


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _render_line(line: str) -> str:
    out: list[str] = []
    last = 0
    for match in _CODE.finditer(line):
        out.append(_render_links(line[last : match.start()]))
        out.append(f"<code>{_escape(match.group(1))}</code>")
        last = match.end()
    out.append(_render_links(line[last:]))
    return "".join(out)


def _trim_url(url: str) -> str:
    """Sentence punctuation after a URL belongs to the sentence; a closing bracket only when the
    URL did not open one (``https://en.wikipedia.org/wiki/Foo_(bar)`` keeps its parenthesis)."""
    while url:
        last = url[-1]
        if last in _URL_TRAILING or (last == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        else:
            break
    return url


def _render_links(text: str) -> str:
    out: list[str] = []
    last = 0
    position = 0
    while (match := _URL.search(text, position)) is not None:
        url = _trim_url(match.group(0))
        if not url:  # pragma: no cover - the pattern needs "http(s)://" first
            position = match.end()
            continue
        out.append(_render_emphasis(text[last : match.start()]))
        out.append(_escape(url))
        last = position = match.start() + len(url)
    out.append(_render_emphasis(text[last:]))
    return "".join(out)


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def _render_emphasis(text: str) -> str:
    out: list[str] = []
    last = 0
    position = 0
    while (match := _EMPHASIS.search(text, position)) is not None:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if (before and _is_word_char(before)) or (after and _is_word_char(after)):
            position = match.start() + 1
            continue
        out.append(_escape(text[last : match.start()]))
        bold = match.group(1) is not None
        inner = _render_emphasis(match.group(1) if bold else match.group(2))
        out.append(f"<b>{inner}</b>" if bold else f"<i>{inner}</i>")
        last = position = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


# -- splitting ---------------------------------------------------------------------------------


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, *, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split Markdown ``text`` into parts whose rendered HTML is at most ``limit`` long.

    Parts break at a blank line where one lies in the second half of what fits, else at a line
    break, else at a space, else mid-word. The limit is applied to the HTML including its tags,
    which is stricter than Telegram's own count (visible text only), so no part can be refused as
    too long. A marker pair cut in two stays literal in both parts, which is all that can go
    wrong.
    """
    parts: list[str] = []
    rest = text.strip()
    while telegram_length(render_html(rest)) > limit:
        fits = _longest_fitting_prefix(rest, limit)
        cut = _break_point(rest, fits)
        part = rest[:cut].rstrip()
        if telegram_length(render_html(part)) > limit:
            # Cutting earlier un-glued a marker pair ("*a*b" -> "*a*"): keep the measured cut.
            cut = fits
            part = rest[:cut]
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts or [text]


def _longest_fitting_prefix(text: str, limit: int) -> int:
    """A long ``n`` with ``render_html(text[:n])`` within ``limit`` (at least 1).

    Rendered length grows with the text, except that a letter glued after a closing marker turns
    its tags back into the marker: close enough to monotonic for a binary search, which only
    ever settles on lengths it measured.
    """
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if telegram_length(render_html(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _break_point(text: str, fits: int) -> int:
    window = text[:fits]
    for separator in ("\n\n", "\n", " "):
        index = window.rfind(separator)
        if index >= fits // 2 and index > 0:
            return index + len(separator)
    return fits


# -- buttons -----------------------------------------------------------------------------------


def callback_data(button: Button) -> str:
    """``action_id|value``; the engine gets both back exactly as the button set them."""
    if not button.action_id or CALLBACK_SEPARATOR in button.action_id:
        raise ButtonError(
            f"button {button.label!r}: action_id {button.action_id!r} must be non-empty and "
            f"free of {CALLBACK_SEPARATOR!r}"
        )
    data = f"{button.action_id}{CALLBACK_SEPARATOR}{button.value}"
    size = len(data.encode("utf-8"))
    if size > MAX_CALLBACK_DATA_BYTES:
        raise ButtonError(
            f"button {button.label!r}: callback data {data!r} is {size} bytes; Telegram allows "
            f"{MAX_CALLBACK_DATA_BYTES}"
        )
    return data


def render_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, short labels sharing rows. Raises ``ButtonError`` for a button that
    does not fit Telegram's callback data."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    width = 0
    for button in buttons:
        key = InlineKeyboardButton(button.label, callback_data=callback_data(button))
        size = len(button.label)
        if rows and len(rows[-1]) < _ROW_BUTTONS and width + size <= _ROW_CHARS:
            rows[-1].append(key)
            width += size
        else:
            rows.append([key])
            width = size
    return InlineKeyboardMarkup(rows)


# -- short texts -------------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def toast(text: str) -> str:
    """A Reply as a callback-query notification: plain text, at most 200 characters."""
    return shorten(render_plain(text), MAX_CALLBACK_ANSWER_CHARS)


def topic_name(ticket_id: int, text: str) -> str:
    """A forum topic's name from a ticket's first agent-channel post: ``#12`` and the post's
    second line (the ticket's description), or its first when it has only one."""
    lines = [line for line in render_plain(text).splitlines() if line.strip()]
    headline = lines[1] if len(lines) > 1 else (lines[0] if lines else "")
    return shorten(f"#{ticket_id} {headline}".strip(), MAX_TOPIC_NAME_CHARS)
