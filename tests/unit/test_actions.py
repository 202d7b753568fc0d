"""Button values keep their format in one place, and forged or stale values parse to None."""

from __future__ import annotations

import pytest

from conversations.actions import PriorityChoice, Rating, parse_id
from conversations.views import Queue, QueueView


def test_priority_choice_round_trips() -> None:
    choice = PriorityChoice(12, "urgent")
    assert PriorityChoice.parse(choice.encode()) == choice


def test_rating_round_trips() -> None:
    rating = Rating(7, 5)
    assert Rating.parse(rating.encode()) == rating


@pytest.mark.parametrize("value", ["", "12", ":5", "x:5", "12:", "١٢:5", "9999999999:1", "1:x"])
def test_bad_ratings_are_refused(value: str) -> None:
    assert Rating.parse(value) is None


@pytest.mark.parametrize("value", ["", "abc", "-1", "1e3", "١٢", "9" * 10])
def test_bad_ids_are_refused(value: str) -> None:
    assert parse_id(value) is None


def test_ids() -> None:
    assert parse_id("42") == 42


@pytest.mark.parametrize(
    "queue",
    [
        Queue(),
        Queue(QueueView.PENDING),
        Queue(QueueView.BREACHED),
        Queue(QueueView.MINE, agent_key="slack:U1"),
        Queue(QueueView.TEAM, team="network"),
    ],
)
def test_queue_text_form_round_trips(queue: Queue) -> None:
    assert Queue.parse(str(queue)) == queue


@pytest.mark.parametrize("text", ["closed", "mine", "team", "all:x", ""])
def test_bad_queue_views_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Queue.parse(text)
