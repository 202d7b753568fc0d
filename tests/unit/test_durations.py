"""Durations read as people say them, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversations.copy.durations import humanize


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=20), "0 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=8), "8 h"),
        (timedelta(minutes=288), "4 h 48 min"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=2, hours=3, minutes=10), "2 d 3 h"),
        (timedelta(days=3, minutes=5), "3 d"),
        (timedelta(minutes=-5), "0 min"),
    ],
)
def test_english(span: timedelta, said: str) -> None:
    assert humanize(span) == said


def test_persian_units() -> None:
    assert humanize(timedelta(hours=8), "fa") == "8 ساعت"
    assert humanize(timedelta(minutes=90), "fa") == "1 ساعت 30 دقیقه"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert humanize(timedelta(hours=2), "de") == "2 h"
