"""The dashboard's JSON endpoints against the real read side, on a known history (the one of
tests/integration/test_reports.py, built with the hand-moved clock), on SQLite and PostgreSQL.

The report endpoint must answer exactly what ``Reads.report`` (the JSON of ``deskbot report``)
gives for the same inputs, and refuse bad input naming the parameter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.reports.period import Filters, Period
from tests.harness import DeskHarness
from tests.integration.test_reports import MONDAY, TUESDAY, history

TOKEN = "s3cret-agent-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
TUE = TUESDAY.isoformat()


@pytest.fixture
async def known(sessions: async_sessionmaker[AsyncSession]) -> DeskHarness:
    harness = DeskHarness(sessions)
    await history(harness)
    return harness


@pytest.fixture
async def client(known: DeskHarness, serve):  # type: ignore[no-untyped-def]
    client, _ = await serve(known.desk, agent_token=TOKEN)
    return client


async def _json(response, status: int = 200):  # type: ignore[no-untyped-def]
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


@pytest.mark.parametrize(
    ("query", "period", "filters", "by"),
    [
        ({"from": TUE, "to": TUE}, Period(TUESDAY, TUESDAY), Filters(), "day"),
        (
            {"from": MONDAY.isoformat(), "to": TUE, "by": "week", "channel": "web"},
            Period(MONDAY, TUESDAY),
            Filters(channel="web"),
            "week",
        ),
        (
            {"from": TUE, "to": TUE, "priority": "normal", "agent": "bea", "lang": "en"},
            Period(TUESDAY, TUESDAY),
            Filters(priority="normal", agent="bea", lang="en"),
            "day",
        ),
        (
            # Empty fields, as a form sends them, are no filter.
            {"from": TUE, "to": TUE, "channel": "", "team": "", "article": ""},
            Period(TUESDAY, TUESDAY),
            Filters(),
            "day",
        ),
    ],
)
async def test_the_report_is_the_read_sides(
    known: DeskHarness, client, query, period, filters, by
) -> None:  # type: ignore[no-untyped-def]
    body = await _json(await client.get("/api/agent/reports", params=query, headers=BEARER))
    assert body == await known.reads.report(period, filters, by=by)


async def test_the_known_figures(client) -> None:  # type: ignore[no-untyped-def]
    body = await _json(
        await client.get("/api/agent/reports", params={"from": TUE, "to": TUE}, headers=BEARER)
    )
    assert body["tickets"] == {"created": 3, "resolved": 2, "reopened": 1, "backlog": 1}
    assert body["previous"]["tickets"]["created"] == 1
    assert body["live"]["open"] == 1 and body["live"]["unassigned"] == 1
    assert body["period"] == {"from": TUE, "to": TUE}


@pytest.mark.parametrize(
    "query",
    [{}, {"from": TUE, "to": TUE}, {"channel": "telegram"}, {"priority": "normal"}],
)
async def test_the_live_part_alone_is_the_reports(client, query) -> None:  # type: ignore[no-untyped-def]
    report = await _json(await client.get("/api/agent/reports", params=query, headers=BEARER))
    body = await _json(await client.get("/api/agent/reports/live", params=query, headers=BEARER))
    assert body == {"live": report["live"], "filters": report["filters"]}


async def test_the_live_part_checks_its_parameters(client) -> None:  # type: ignore[no-untyped-def]
    for query, names in (({"channel": "fax"}, "'channel'"), ({"figure": "open"}, "'figure'")):
        response = await client.get("/api/agent/reports/live", params=query, headers=BEARER)
        assert names in (await _json(response, 400))["error"]
    assert (await client.get("/api/agent/reports/live")).status == 401


async def test_without_a_period_the_last_seven_days_up_to_the_desks_today(
    known: DeskHarness, client
) -> None:  # type: ignore[no-untyped-def]
    body = await _json(await client.get("/api/agent/reports", headers=BEARER))
    today = known.clock().date()
    assert body["period"]["to"] == today.isoformat()
    assert body == await known.reads.report(Period(today - timedelta(days=6), today), Filters())


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"from": "2026-13-01"}, "'from'"),
        ({"to": "yesterday"}, "'to'"),
        ({"from": ""}, "'from'"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "'to'"),
        ({"by": "month"}, "'by'"),
        ({"priority": "extreme"}, "'priority'"),
        ({"channel": "fax"}, "'channel'"),
        ({"lang": "xx"}, "'lang'"),
        ({"team": "nobody"}, "'team'"),
        ({"agent": "zed"}, "'agent'"),
        ({"article": "no-such-article"}, "'article'"),
        ({"chanel": "web"}, "'chanel'"),
    ],
)
async def test_bad_input_names_the_parameter(client, query, names) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/agent/reports", "/api/agent/reports/tickets"):
        params = dict(query, figure="created") if path.endswith("tickets") else query
        body = await _json(await client.get(path, params=params, headers=BEARER), 400)
        assert names in body["error"], body


async def test_a_parameter_given_twice_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    body = await _json(
        await client.get("/api/agent/reports?channel=web&channel=slack", headers=BEARER), 400
    )
    assert "'channel'" in body["error"]


@pytest.mark.parametrize(
    ("figure", "query", "ids"),
    [
        ("created", {"from": TUE, "to": TUE}, [2, 3, 4]),
        ("resolved", {"from": TUE, "to": TUE}, [2, 4]),
        ("reopened", {"from": TUE, "to": TUE}, [4]),
        ("backlog", {"from": TUE, "to": TUE}, [3]),
        ("first_responded", {"from": TUE, "to": TUE}, [2, 4]),
        ("created", {"from": TUE, "to": TUE, "channel": "telegram"}, [3]),
        ("created", {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}, [1]),
        ("unassigned", {}, [3]),
        ("unattended", {}, [3]),
        ("open", {"priority": "normal"}, []),
        ("agent_claimed", {"from": TUE, "to": TUE, "actor": "web:agent:Ali"}, [2]),
        ("agent_resolved", {"from": TUE, "to": TUE, "actor": "web:agent:Bea"}, [4]),
        ("agent_resolved", {"from": TUE, "to": TUE, "actor": "web:agent:Zed"}, []),
    ],
)
async def test_the_tickets_behind_a_figure(client, figure, query, ids) -> None:  # type: ignore[no-untyped-def]
    body = await _json(
        await client.get(
            "/api/agent/reports/tickets", params={"figure": figure, **query}, headers=BEARER
        )
    )
    assert [t["id"] for t in body["tickets"]] == ids
    assert body["figure"] == figure
    assert body["actor"] == query.get("actor")


async def test_agents_counts_agree_with_their_lists(client) -> None:  # type: ignore[no-untyped-def]
    report = await _json(
        await client.get("/api/agent/reports", params={"from": TUE, "to": TUE}, headers=BEARER)
    )
    assert report["agents"]
    for agent in report["agents"]:
        for count in ("claimed", "resolved", "open", "transfers", "merges"):
            body = await _json(
                await client.get(
                    "/api/agent/reports/tickets",
                    params={"figure": f"agent_{count}", "actor": agent["key"], "from": TUE},
                    headers=BEARER,
                )
            )
            assert len(body["tickets"]) == agent[count], (agent["name"], count)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"figure": "agent_claimed"}, "'actor'"),
        ({"figure": "agent_claimed", "actor": ""}, "'actor'"),
        ({"figure": "created", "actor": "web:agent:Ali"}, "'actor'"),
        ({"figure": "agent_claimed", "actor": "web:agent:Ali&actor=x"}, None),
    ],
)
async def test_an_agent_figure_needs_its_agent_and_only_it(client, params, names) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/api/agent/reports/tickets", params={"from": TUE, **params}, headers=BEARER
    )
    if names is None:  # an odd key is just a key no agent has
        assert (await _json(response))["tickets"] == []
    else:
        assert names in (await _json(response, 400))["error"]


async def test_actor_given_twice_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    body = await _json(
        await client.get(
            "/api/agent/reports/tickets?figure=agent_claimed&actor=a&actor=b", headers=BEARER
        ),
        400,
    )
    assert "'actor'" in body["error"]


async def test_a_ticket_of_the_list(client) -> None:  # type: ignore[no-untyped-def]
    body = await _json(
        await client.get(
            "/api/agent/reports/tickets",
            params={"figure": "created", "from": TUE, "to": TUE, "channel": "telegram"},
            headers=BEARER,
        )
    )
    assert body["period"] == {"from": TUE, "to": TUE}
    assert body["filters"] == {"channel": "telegram"}
    (ticket,) = body["tickets"]
    assert ticket["id"] == 3
    assert ticket["channel"] == "telegram"
    assert ticket["priority"] == "urgent"
    assert ticket["status"] in {"new", "open"}
    assert ticket["requester_name"] == "Neda"
    assert ticket["assignee_name"] is None
    assert ticket["created_at"] == "2026-11-03T11:00:00+00:00"
    assert ticket["subject"]


async def test_figure_counts_agree_with_their_lists(client) -> None:  # type: ignore[no-untyped-def]
    report = await _json(
        await client.get("/api/agent/reports", params={"from": TUE, "to": TUE}, headers=BEARER)
    )
    for figure, n in (
        *report["tickets"].items(),
        *((name, report["live"][name]) for name in ("open", "unassigned", "unattended", "pending")),
        ("breaches", report["sla"]["breaches"]),
    ):
        body = await _json(
            await client.get(
                "/api/agent/reports/tickets",
                params={"figure": figure, "from": TUE, "to": TUE},
                headers=BEARER,
            )
        )
        if figure == "breaches":  # breach notices, each ticket listed once
            assert len(body["tickets"]) <= n
        else:
            assert len(body["tickets"]) == n, figure


@pytest.mark.parametrize("figure", [None, "", "p50", "csat"])
async def test_an_unknown_figure_is_refused(client, figure) -> None:  # type: ignore[no-untyped-def]
    params = {"from": TUE} | ({"figure": figure} if figure is not None else {})
    body = await _json(
        await client.get("/api/agent/reports/tickets", params=params, headers=BEARER), 400
    )
    assert "'figure'" in body["error"] and "created" in body["error"]


@pytest.mark.parametrize("path", ["/api/agent/reports", "/api/agent/reports/tickets"])
async def test_agents_only(client, path) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = await client.get(path, params={"figure": "created"}, headers=headers)
        body = await _json(response, 401)
        assert "login" in body["error"].lower()
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = await client.post(path, headers=BEARER)
    assert response.status == 405


async def test_the_page_needs_no_login_and_is_locked_down(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/agent/reports")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    for name in ("reports.js", "reports.css", "reports-i18n.js"):
        assert (await client.get(f"/static/web/{name}")).status == 200
