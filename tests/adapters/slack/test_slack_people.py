"""Who people are: names and language from users.info, looked up once."""

from __future__ import annotations

from conversations.copy import text


async def test_a_persian_slack_locale_gets_persian_replies(desk) -> None:
    desk.fake.add_user("U0NEDA", "Neda", locale="fa-IR")
    await desk.dm("U0NEDA", "می‌خواهم پسوردم را تغییر بدهم")

    (lookup,) = desk.fake.calls_to("users.info")
    assert lookup.http_method == "GET"
    assert lookup.args == {"user": "U0NEDA", "include_locale": "1"}
    posts = desk.fake.posts(desk.dm_channel("U0NEDA"))
    assert posts[0].text == text("fa", "greeting")
    assert posts[1].text == text("fa", "suggestions_intro")
    assert any(text("fa", "button.solved") in p.button_labels() for p in posts)


async def test_people_are_looked_up_once_and_named_as_in_slack(desk) -> None:
    for words in ("The coffee machine on floor three is leaking water", "Still leaking"):
        await desk.dm("U0SARA", words)
    assert len(desk.fake.calls_to("users.info")) == 1  # cached
    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert detail.ticket.requester_name == "Sara"
    assert [e.author for e in detail.entries] == ["Sara", "Sara"]


async def test_an_unknown_user_is_served_by_id(desk) -> None:
    await desk.dm("U0GHOST", "The coffee machine on floor three is leaking water")
    assert desk.fake.calls_to("users.info", ok=False)
    assert "I'm Deskbot" in desk.fake.posts(desk.dm_channel("U0GHOST"))[0].text
    detail = await desk.reads.ticket(1)
    assert detail is not None and detail.ticket.requester_name == "U0GHOST"
