"""Rendering for Telegram: the Markdown subset as HTML, splitting, keyboards, toasts, topic names.
Every HTML result is also checked the way the fake Bot API checks it (Telegram's HTML rules)."""

from __future__ import annotations

import pytest

from adapters.telegram.render import (
    ButtonError,
    callback_data,
    render_html,
    render_keyboard,
    render_plain,
    split_text,
    telegram_length,
    toast,
    topic_name,
)
from conversations.messages import Button
from tests.fakes.telegram_api import visible_text


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("*New ticket #1* [high]", "<b>New ticket #1</b> [high]"),
        ("_FAQs already tried:_ none", "<i>FAQs already tried:</i> none"),
        ("run `ipconfig /all` now", "run <code>ipconfig /all</code> now"),
        ("`<b>*x*</b>`", "<code>&lt;b&gt;*x*&lt;/b&gt;</code>"),
        ("*bold _and italic_*", "<b>bold <i>and italic</i></b>"),
        ("*<script>*", "<b>&lt;script&gt;</b>"),
        ("*تیکت #12* باز شد", "<b>تیکت #12</b> باز شد"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
        ("* not a list *", "* not a list *"),
        (
            "see https://wiki.example/a_b_c_d and _this_.",
            "see https://wiki.example/a_b_c_d and <i>this</i>.",
        ),
        ("line one\n*line two*", "line one\n<b>line two</b>"),
        ("Q&A: 1 < 2", "Q&amp;A: 1 &lt; 2"),
    ],
)
def test_markdown_subset_as_html(markdown: str, expected: str) -> None:
    rendered = render_html(markdown)
    assert rendered == expected
    visible_text(rendered, "HTML")  # Telegram would accept it


def test_plain_text_drops_the_markers() -> None:
    assert render_plain("*#1* is _yours_ & `done`") == "#1 is yours & done"


def test_short_text_is_one_part() -> None:
    assert split_text("Hello *there*") == ["Hello *there*"]


def test_split_prefers_paragraphs_then_lines_then_spaces() -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(part.startswith("Paragraph") for part in parts)
    assert "\n\n".join(parts) == text

    one_line = "word " * 2000
    parts = split_text(one_line)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    assert " ".join(parts) == one_line.strip()


def test_each_part_renders_within_the_limit_even_when_escaping_grows_it() -> None:
    for text in ("&" * 5000, "<>" * 3000, "*a* " * 3000, "x" * 9000, "😀" * 3000):
        parts = split_text(text)
        for part in parts:
            rendered = render_html(part)
            assert telegram_length(rendered) <= 4096
            assert 0 < telegram_length(visible_text(rendered, "HTML")) <= 4096
        assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "")


def test_an_emoji_counts_twice_as_telegram_counts() -> None:
    assert telegram_length("😀") == 2
    assert len(split_text("😀" * 2048)) == 1
    assert len(split_text("😀" * 2049)) == 2


def test_callback_data_joins_action_and_value() -> None:
    assert callback_data(Button("Claim", "claim", "12")) == "claim|12"
    assert callback_data(Button("Talk to a person", "human")) == "human|"
    assert callback_data(Button("x", "a", "v" * 62)) == "a|" + "v" * 62


def test_callback_data_counts_bytes_not_characters() -> None:
    assert len(callback_data(Button("x", "a", "ی" * 31)).encode()) == 64  # 2 bytes a letter


@pytest.mark.parametrize(
    "button",
    [
        Button("too long", "a", "v" * 63),
        Button("wide", "ab", "ی" * 31),
        Button("bad", "a|b", "1"),
        Button("empty", "", "1"),
    ],
)
def test_buttons_that_do_not_fit_are_refused(button: Button) -> None:
    with pytest.raises(ButtonError):
        callback_data(button)


def test_keyboard_rows() -> None:
    ratings = render_keyboard([Button(str(n), "rate", f"1:{n}") for n in range(1, 6)])
    assert ratings is not None
    assert [[b.text for b in row] for row in ratings.inline_keyboard] == [["1", "2", "3", "4", "5"]]
    faq = render_keyboard(
        [Button("This solved it", "faq.ok", "1"), Button("Not what I need", "faq.no", "1")]
    )
    assert faq is not None and len(faq.inline_keyboard) == 1
    long = render_keyboard(
        [Button("گفت‌وگو با کارشناس پشتیبانی", "human"), Button("دنبال این نبودم اصلاً", "faq.no")]
    )
    assert long is not None and len(long.inline_keyboard) == 2
    assert render_keyboard([]) is None


def test_toasts_are_plain_and_short() -> None:
    assert toast("You claimed *#1*.") == "You claimed #1."
    long = toast("word " * 100)
    assert len(long) == 200 and long.endswith("…")


def test_topic_names() -> None:
    post = "*New ticket #3* [high] from Sara (telegram)\nThe VPN drops every _hour_\n_FAQs_: none"
    assert topic_name(3, post) == "#3 The VPN drops every hour"
    assert topic_name(4, "Only one line") == "#4 Only one line"
    assert len(topic_name(5, "x\n" + "y" * 500)) == 128
