"""What a report is about: a period of whole days (UTC), the period before it, and filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

#: How a surface spells an input's name in its messages: the CLI says ``--from``, the web API
#: ``'from'``. The checks are shared; only the spelling differs.
Spell = Callable[[str], str]


def cli_option(name: str) -> str:
    return f"--{name}"


class ReportInputError(ValueError):
    """A bad period or filter; the message names the option."""


@dataclass(frozen=True, slots=True)
class Period:
    """The days ``first`` to ``last``, both included: [first 00:00, last+1 00:00) in UTC."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ReportInputError(
                f"--to ({self.last}) is before --from ({self.first}): the period would be empty"
            )

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def buckets(self, by: str) -> list[str]:
        """The day or week labels of the period, as the SQL ``bucket_of`` spells them."""
        labels: list[str] = []
        day = self.first
        while day <= self.last:
            start = day if by == "day" else day - timedelta(days=day.weekday())
            label = start.isoformat()
            if not labels or labels[-1] != label:
                labels.append(label)
            day += timedelta(days=1)
        return labels

    @classmethod
    def named(cls, name: str, today: date) -> Period:
        """``today``, ``week`` (the last 7 days) or ``month`` (the last 30 days)."""
        days = {"today": 1, "week": 7, "month": 30}.get(name)
        if days is None:
            raise ReportInputError(f"the period must be today, week or month, not {name!r}")
        return cls(today - timedelta(days=days - 1), today)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportInputError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def period_from(
    first: str | None, last: str | None, today: date, *, spell: Spell = cli_option
) -> Period:
    """``--from``/``--to`` as given; a missing end is today, a missing start 6 days before it."""
    end = parse_day(last, spell("to")) if last else today
    start = parse_day(first, spell("from")) if first else end - timedelta(days=6)
    if end < start:
        raise ReportInputError(
            f"{spell('to')} ({end}) is before {spell('from')} ({start}): the period would be empty"
        )
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class Filters:
    """Narrow a report. Ticket figures honour all of them; self-service figures (questions,
    which have no ticket yet) honour channel, language and article."""

    channel: str | None = None
    priority: str | None = None
    team: str | None = None
    agent: str | None = None  # the assignee's name
    lang: str | None = None
    article: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}
