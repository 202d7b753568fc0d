"""The reports dashboard of the agent console: its page and its JSON endpoints.

``GET /api/agent/reports`` answers exactly what ``deskbot report --format json`` prints for the
same inputs: both read their period, ``by`` and filters through ``Desk.report_request`` (the
checks of ``conversations/reports/request.py`` and ``choices.py``) and their figures through
``Desk.report``. ``GET /api/agent/reports/live`` answers its ``live`` part alone (the page's
refresh on each ticket change). ``GET /api/agent/reports/tickets?figure=NAME`` lists the tickets
a figure counts (``conversations/reports/ticket_sets.py``), so a number and its list cannot
disagree.

The page draws everything itself from that JSON (``static/reports.js``): the server renders no
HTML or SVG, so the dashboard and scripts read one and the same interface.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.http_json import json_endpoint
from adapters.web.inbound import InputError
from adapters.web.pages import serve_page
from adapters.web.render import render_period, render_ticket_view
from conversations.reports.period import ReportInputError
from conversations.reports.request import ReportRequest, parse_figure
from conversations.views import Desk

NO_STORE = {"Cache-Control": "no-store"}


def spell(name: str) -> str:
    """Input names as this API's messages spell them: the query parameter, quoted."""
    return f"'{name}'"


def _values(request: web.Request, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in request.query:
        if name in skip:
            continue
        given = request.query.getall(name)
        if len(given) > 1:
            raise InputError(f"{spell(name)} is given {len(given)} times; give it once.")
        values[name] = given[0]
    return values


class ReportRoutes:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    async def page(self, request: web.Request) -> web.StreamResponse:
        # Like /agent, the page holds no data; it asks the API, which answers 401 without login.
        return serve_page(request, "reports.html")

    async def _request(self, request: web.Request, *, skip: tuple[str, ...] = ()) -> ReportRequest:
        try:
            return await self._desk.report_request(_values(request, skip=skip), spell=spell)
        except ReportInputError as error:
            raise InputError(str(error)) from None

    @json_endpoint
    async def report(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/agent/reports?from&to&by&channel&priority&team&agent&lang&article``."""
        wanted = await self._request(request)
        figures = await self._desk.report(wanted.period, wanted.filters, by=wanted.by)
        return web.json_response(figures, headers=NO_STORE)

    @json_endpoint
    async def live(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/agent/reports/live?<filters>``: the report's live figures alone, what the
        page refetches on every ticket change (the whole report follows every 30 s). Takes the
        report's parameters, so the page sends the same query; the period does not change them."""
        wanted = await self._request(request)
        live = await self._desk.live(wanted.filters)
        return web.json_response(
            {"live": live, "filters": wanted.filters.as_dict()}, headers=NO_STORE
        )

    @json_endpoint
    async def tickets(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/agent/reports/tickets?figure=NAME[&actor=AGENT_KEY]&from&to&<filters>``
        (``actor``: the agent whose figure it is, for the agents table's figures)."""
        drill = _values(request, skip=tuple(set(request.query) - {"figure", "actor"}))
        try:
            figure = parse_figure(drill.get("figure"), drill.get("actor"), spell=spell)
        except ReportInputError as error:
            raise InputError(str(error)) from None
        wanted = await self._request(request, skip=("figure", "actor"))
        tickets = await self._desk.tickets_behind(
            figure.name, wanted.period, wanted.filters, actor=figure.actor
        )
        return web.json_response(
            {
                "figure": figure.name,
                "actor": figure.actor,
                "period": render_period(wanted.period),
                "filters": wanted.filters.as_dict(),
                "tickets": [render_ticket_view(ticket) for ticket in tickets],
            },
            headers=NO_STORE,
        )
