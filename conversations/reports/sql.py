"""SQL pieces that SQLite and PostgreSQL spell differently, as SQLAlchemy constructs compiled per
dialect, so every figure is one query that runs on both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Integer, String, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlalchemy.sql.expression import FunctionElement


class minutes_between(FunctionElement[float]):
    """Minutes from the first timestamp to the second (fractional)."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"


class day_of(FunctionElement[str]):
    """The day (``YYYY-MM-DD``) a UTC timestamp falls on."""

    type = String()
    inherit_cache = True


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({column})"


@compiles(day_of, "postgresql")
def _day_postgresql(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


class week_of(FunctionElement[str]):
    """The Monday (``YYYY-MM-DD``) of the ISO week a UTC timestamp falls in."""

    type = String()
    inherit_cache = True


@compiles(week_of, "sqlite")
def _week_sqlite(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({column}, 'weekday 0', '-6 days')"  # the Monday on or before


@compiles(week_of, "postgresql")
def _week_postgresql(element: week_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # date_trunc's weeks start on Monday.
    return f"to_char(date_trunc('week', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


def bucket_of(column: SQLColumnExpression[Any], by: str) -> FunctionElement[str]:
    """The day or week label of a timestamp. (Separate constructs, not one with a parameter:
    SQLAlchemy caches compiled SQL by a construct's type and arguments.)"""
    return day_of(column) if by == "day" else week_of(column)


class weekday_of(FunctionElement[int]):
    """0 (Sunday) to 6 (Saturday), in UTC."""

    type = Integer()
    inherit_cache = True


@compiles(weekday_of, "sqlite")
def _weekday_sqlite(element: weekday_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(strftime('%w', {column}) AS INTEGER)"


@compiles(weekday_of, "postgresql")
def _weekday_postgresql(element: weekday_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(DOW FROM {column} AT TIME ZONE 'UTC') AS INTEGER)"


class hour_of(FunctionElement[int]):
    """0 to 23, in UTC."""

    type = Integer()
    inherit_cache = True


@compiles(hour_of, "sqlite")
def _hour_sqlite(element: hour_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(strftime('%H', {column}) AS INTEGER)"


@compiles(hour_of, "postgresql")
def _hour_postgresql(element: hour_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(HOUR FROM {column} AT TIME ZONE 'UTC') AS INTEGER)"


class day_after(FunctionElement[Any]):
    """The timestamp 24 hours later."""

    inherit_cache = True

    def __init__(self, column: SQLColumnExpression[Any]) -> None:
        super().__init__(column)
        self.type = column.type  # type: ignore[attr-defined]  # every column has one


@compiles(day_after, "sqlite")
def _day_after_sqlite(element: day_after, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # SQLite keeps timestamps as text in this format; datetime() would drop the fraction.
    return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '+24 hours')"


@compiles(day_after, "postgresql")
def _day_after_postgresql(element: day_after, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({column} + INTERVAL '24 hours')"


PERCENTILES = (0.5, 0.9)


async def percentiles(
    session: AsyncSession,
    value: SQLColumnExpression[Any],
    where: Sequence[ColumnElement[bool]],
    *,
    bucket: SQLColumnExpression[Any] | None = None,
) -> dict[str | None, tuple[dict[float, float | None], int]]:
    """p50 and p90 (linear interpolation between the two nearest ranks, like PostgreSQL's
    ``percentile_cont``) and n of ``value`` over the rows ``where`` selects, per ``bucket``.

    PostgreSQL computes them itself (``percentile_cont``, an ordered-set aggregate, several
    times faster than ranking: benchmarks/reports.py). SQLite has no such aggregate: it ranks
    the rows with window functions and hands back only the (at most two) rows around each
    percentile, so no figure is computed over every row in Python."""
    if session.get_bind().dialect.name == "postgresql":
        return await _percentiles_postgresql(session, value, where, bucket)
    group = bucket if bucket is not None else literal(None, String())
    ranked = (
        select(
            value.label("v"),
            group.label("b"),
            func.row_number().over(partition_by=group, order_by=value).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(*where, value.is_not(None))
        .subquery()
    )
    wanted = []
    for p in PERCENTILES:
        # The 0-based ranks floor(position) and floor(position) + 1, written without FLOOR or
        # CAST (SQLite lacks the one, PostgreSQL's rounds where SQLite's truncates).
        where_rank = (ranked.c.n - 1) * p
        rank = ranked.c.rn - 1
        wanted.append(and_(rank >= where_rank - 1, rank <= where_rank + 1))
    rows = await session.execute(
        select(ranked.c.b, ranked.c.rn, ranked.c.n, ranked.c.v).where(or_(*wanted))
    )
    found: dict[str | None, dict[int, float]] = {}
    sizes: dict[str | None, int] = {}
    for b, rn, n, v in rows:
        found.setdefault(b, {})[int(rn)] = float(v)
        sizes[b] = int(n)
    result: dict[str | None, tuple[dict[float, float | None], int]] = {}
    for b, values in found.items():
        n = sizes[b]
        figures: dict[float, float | None] = {}
        for p in PERCENTILES:
            position = (n - 1) * p
            low = int(position)
            lower = values[low + 1]
            upper = values.get(low + 2, lower)
            figures[p] = lower + (upper - lower) * (position - low)
        result[b] = (figures, n)
    return result


async def _percentiles_postgresql(
    session: AsyncSession,
    value: SQLColumnExpression[Any],
    where: Sequence[ColumnElement[bool]],
    bucket: SQLColumnExpression[Any] | None,
) -> dict[str | None, tuple[dict[float, float | None], int]]:
    columns = [func.percentile_cont(p).within_group(value) for p in PERCENTILES]
    query = select(*columns, func.count()).where(*where, value.is_not(None))
    if bucket is not None:
        query = query.add_columns(bucket).group_by(bucket)
    result: dict[str | None, tuple[dict[float, float | None], int]] = {}
    for row in await session.execute(query):
        n = int(row[len(PERCENTILES)])
        if n == 0:
            continue  # an aggregate without GROUP BY answers one row even for no rows
        b = row[len(PERCENTILES) + 1] if bucket is not None else None
        result[b] = ({p: float(row[i]) for i, p in enumerate(PERCENTILES)}, n)
    return result
