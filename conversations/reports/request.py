"""A report request as every surface takes it: a period, ``by`` and the filters, read from
plain name -> text values (a command line's options, a web API's query string) and checked the
same way everywhere. Only the spelling of the names in messages differs (``period.Spell``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from conversations.reports.choices import BY
from conversations.reports.period import (
    Filters,
    Period,
    ReportInputError,
    Spell,
    cli_option,
    parse_day,
    period_from,
)
from conversations.reports.ticket_sets import AGENT_SETS, SETS

FILTERS: tuple[str, ...] = tuple(f.name for f in fields(Filters))
PARAMETERS: tuple[str, ...] = ("from", "to", "by", *FILTERS)
#: The figures whose tickets a drill-down can list (``ticket_sets.SETS``, and per agent
#: ``ticket_sets.AGENT_SETS``, which take the agent's key as ``actor``).
TICKET_FIGURES: tuple[str, ...] = (*SETS, *AGENT_SETS)


@dataclass(frozen=True, slots=True)
class ReportRequest:
    period: Period
    filters: Filters = field(default_factory=Filters)
    by: str = "day"


def parse_period(
    first: str | None, last: str | None, today: date, *, spell: Spell = cli_option
) -> Period:
    """``from``/``to``; a given but empty value is refused, not taken for "not given"."""
    for value, name in ((first, "from"), (last, "to")):
        if value is not None:
            parse_day(value, spell(name))
    return period_from(first, last, today, spell=spell)


def parse_by(value: str | None, *, spell: Spell = cli_option) -> str:
    if value is None:
        return "day"
    if value not in BY:
        raise ReportInputError(f"{spell('by')}: {value!r} is not one of {', '.join(BY)}")
    return value


def parse_request(
    values: Mapping[str, str], today: date, *, spell: Spell = cli_option
) -> ReportRequest:
    """The request ``values`` spell. An unknown name is refused (a typo would otherwise
    silently widen the report); an empty filter means no filter, as an empty form field does.
    The filter values are checked against the database by ``choices.check_filters``."""
    unknown = sorted(set(values) - set(PARAMETERS))
    if unknown:
        raise ReportInputError(
            f"{spell(unknown[0])}: not a report parameter "
            f"(known: {', '.join(spell(name) for name in PARAMETERS)})"
        )
    filters = Filters(**{name: values.get(name) or None for name in FILTERS})
    return ReportRequest(
        period=parse_period(values.get("from"), values.get("to"), today, spell=spell),
        filters=filters,
        by=parse_by(values.get("by"), spell=spell),
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """A drill-down's figure: its name and, for the agents table's, the agent's key."""

    name: str
    actor: str | None = None


def parse_figure(
    value: str | None, actor: str | None = None, *, spell: Spell = cli_option
) -> Figure:
    """The name of a figure that has a ticket list, with ``actor`` exactly when it needs one."""
    if not value:
        raise ReportInputError(f"{spell('figure')} is required: one of {', '.join(TICKET_FIGURES)}")
    if value not in TICKET_FIGURES:
        raise ReportInputError(
            f"{spell('figure')}: {value!r} has no ticket list (known: {', '.join(TICKET_FIGURES)})"
        )
    if value in AGENT_SETS and not actor:
        raise ReportInputError(f"{spell('figure')}: {value!r} needs {spell('actor')}: an agent key")
    if value not in AGENT_SETS and actor is not None:
        raise ReportInputError(
            f"{spell('actor')} is only for the agents' figures ({', '.join(AGENT_SETS)})"
        )
    return Figure(value, actor or None)
