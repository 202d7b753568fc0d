"""``deskbot report`` and ``deskbot export tickets``: the figures of docs/metrics.md for a period,
and the raw one-row-per-ticket export, for support leads and their spreadsheets.

The options are a promise to outside users (scripts parse ``--format json``); the JSON is exactly
``conversations.reports.compute.report``'s dict. Heavy modules (SQLAlchemy, the reports) are
imported inside the commands so that ``deskbot --help`` does not pay for them.

The text summary is written in the agents' language, ``DESKBOT_AGENT_LANG``, like every other
agent-facing text (``deskbot tickets``, the agent channel); ``--lang`` filters tickets by their
language and does not change the language of the text.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from bot.config import Settings
    from conversations.reports.period import Filters, Period

T = TypeVar("T")


def _now() -> datetime:
    """The report's clock (tests set it to their history's "now")."""
    return datetime.now(UTC)


def _settings(database_url: str | None) -> Settings:
    from bot.config import ConfigError, load_settings

    try:
        return load_settings(database_url=database_url)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _period(first: str | None, last: str | None, today: date) -> Period:
    """``--from``/``--to``; a given but empty value is refused, not taken for "not given"."""
    from conversations.reports.period import ReportInputError
    from conversations.reports.request import parse_period

    try:
        return parse_period(first, last, today)
    except ReportInputError as error:
        raise click.UsageError(str(error)) from None


def _run(work: Callable[[Any], Awaitable[T]], settings: Settings) -> T:
    """``work(session)`` on the configured database, with the known failures in one line."""
    from bot import db
    from conversations.reports.period import ReportInputError

    async def run() -> T:
        database = db.create_engine(settings.database_url)
        try:
            await db.prepare(database)
            async with db.session_factory(database)() as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except ReportInputError as error:
        raise click.UsageError(str(error)) from None
    except db.SchemaError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # the database server is not there
        raise click.ClickException(f"cannot reach the database: {error}") from None


range_options = [
    click.option(
        "--from",
        "first",
        metavar="DATE",
        help="First day, YYYY-MM-DD (UTC) [default: 6 days before --to].",
    ),
    click.option("--to", "last", metavar="DATE", help="Last day, included [default: today]."),
]
database_option = click.option(
    "--database-url", help="Database URL [env: DESKBOT_DATABASE_URL; default: sqlite]."
)


def _with(options: list[Callable[[Any], Any]]) -> Callable[[Callable[..., Any]], Any]:
    def decorate(function: Callable[..., Any]) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@click.command("report")
@_with(range_options)
@click.option(
    "--by",
    type=click.Choice(["day", "week"]),
    default="day",
    show_default=True,
    help="Buckets of the trend series (JSON).",
)
@click.option("--channel", help="Only tickets from this channel (web, slack, telegram, ...).")
@click.option("--priority", help="Only tickets of this priority (low, normal, high, urgent).")
@click.option("--team", help="Only tickets routed to this team.")
@click.option("--agent", help="Only tickets assigned to this agent (by name, any case).")
@click.option("--lang", help="Only tickets in this language (en, fa); not the text's language.")
@click.option("--article", help="Only tickets a KB article was suggested to or linked with.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
)
@database_option
def report(
    first: str | None,
    last: str | None,
    by: str,
    output_format: str,
    database_url: str | None,
    **filter_values: str | None,
) -> None:
    """The figures of a period with the previous period's beside them (docs/metrics.md).

    text: a summary in DESKBOT_AGENT_LANG; json: every figure, series and heatmap included;
    csv: section,figure,value,previous, one line per figure.
    """
    from bot import db
    from conversations.reports import compute
    from conversations.reports.choices import check_filters
    from conversations.reports.period import Filters
    from conversations.team import TeamFileError, load_team

    settings = _settings(database_url)
    now = _now()
    period = _period(first, last, now.date())
    filters = Filters(**filter_values)
    try:
        teams = load_team(settings.team_file).team_names
    except TeamFileError as error:
        raise click.ClickException(f"the team file has problems:\n{error}") from None

    async def work(session: Any) -> dict[str, Any]:
        await check_filters(session, filters, teams=teams)
        # the dashboard's way: the parts at once, each in a session of its own
        sessions = db.session_factory(session.bind)
        return await compute.report(sessions, period, filters, now=now, by=by, apart=True)

    figures = _run(work, settings)
    _print_report(figures, output_format, settings.agent_lang)


def _print_report(figures: dict[str, Any], output_format: str, lang: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        from conversations.reports.render import csv_rows

        out = sys.stdout
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("section", "figure", "value", "previous"))
        writer.writerows(csv_rows(figures))
    else:
        from adapters.console import render_text
        from conversations.reports.render import summary

        click.echo(render_text(summary(figures, lang)))


@click.group("export")
def export() -> None:
    """Raw data for spreadsheets and BI tools."""


@export.command("tickets")
@_with(range_options)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE [default: stdout].",
)
@database_option
def export_tickets(
    first: str | None, last: str | None, output: Path | None, database_url: str | None
) -> None:
    """The tickets created in the period as CSV, one row per ticket, oldest first.

    Rows are streamed from the database, so any number of tickets fits in memory. A progress
    bar is shown only when writing to --output with a terminal on stderr.
    """
    settings = _settings(database_url)
    now = _now()
    period = _period(first, last, now.date())
    if output is None:
        _export(settings, period, now, sys.stdout, progress=False)
        return
    with output.open("w", encoding="utf-8", newline="") as out:
        _export(settings, period, now, out, progress=sys.stderr.isatty())
    click.echo(f"wrote {output}", err=True)


def _export(
    settings: Settings, period: Period, now: datetime, out: IO[str], *, progress: bool
) -> None:
    from conversations.reports import export as tickets_export
    from conversations.reports.period import Filters

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(tickets_export.COLUMNS)
    filters: Filters = Filters()

    async def work(session: Any) -> int:
        total = await tickets_export.count(session, period, filters) if progress else 0
        rows = tickets_export.rows(session, period, filters, now=now)
        written = 0
        if not progress:
            async for row in rows:
                writer.writerow(row)
                written += 1
            return written
        with click.progressbar(length=total, label="tickets", file=sys.stderr) as bar:
            async for row in rows:
                writer.writerow(row)
                written += 1
                if written % 500 == 0:
                    bar.update(500)
            bar.update(written % 500)
        return written

    _run(work, settings)
