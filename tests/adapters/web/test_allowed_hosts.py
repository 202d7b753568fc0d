"""DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 reaches the
server with ``Host: attacker.example`` (and its own ``Origin``). Only listed names get through."""

from __future__ import annotations

import logging

import pytest
from aiohttp import WSServerHandshakeError, web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import setup_web_chat
from adapters.web.hosts import AllowedHosts, parse_allowed_hosts

REBOUND = {"Host": "attacker.example:8080", "Origin": "http://attacker.example:8080"}


@pytest.fixture
async def server(desk):
    clients: list[TestClient] = []

    async def start(*entries: str) -> TestClient:
        app = web.Application()
        hosts = AllowedHosts(parse_allowed_hosts(",".join(entries))) if entries else None
        setup_web_chat(app, desk, allowed_hosts=hosts)
        app.router.add_get("/healthz", _healthy)
        app.router.add_post("/slack/events", _healthy)  # another channel's route, same app
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def _healthy(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/agent"),
        ("GET", "/api/agent/tickets"),
        ("POST", "/api/agent/commands"),
        ("POST", "/api/chat/messages"),
        ("GET", "/api/agent/reports"),
        ("POST", "/slack/events"),
    ],
)
async def test_a_rebound_name_is_refused_on_every_route(server, desk, method, path) -> None:
    client = await server()  # the default: loopback names, no agent token

    response = await client.request(method, path, headers=REBOUND, json={"text": "queue"})

    assert response.status == 400
    assert "DESKBOT_ALLOWED_HOSTS" in (await response.json())["error"]
    assert desk.events == [] and desk.queue_views == []


async def test_a_rebound_name_cannot_open_the_agent_socket(server) -> None:
    client = await server()
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/agent", headers=REBOUND)
    assert refused.value.status == 400


async def test_x_forwarded_host_does_not_let_a_rebound_page_in(server, desk) -> None:
    client = await server()
    headers = {**REBOUND, "X-Forwarded-Host": "localhost"}

    response = await client.get("/api/agent/tickets", headers=headers)

    assert response.status == 400
    assert desk.queue_views == []


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST"])
async def test_loopback_names_are_served_by_default(server, host) -> None:
    client = await server()
    response = await client.get("/api/agent/tickets", headers={"Host": host})
    assert response.status == 200


async def test_a_listed_origin_on_a_loopback_host_is_refused_when_not_listed(server) -> None:
    # A proxy may pass Host through as 127.0.0.1; the page's Origin must still be one we list.
    client = await server()
    headers = {"Host": "127.0.0.1:8080", "Origin": "https://help.example.com"}
    response = await client.post("/api/agent/commands", headers=headers, json={"text": "queue"})
    assert response.status == 403


async def test_behind_a_proxy_the_public_name_is_listed(server, desk) -> None:
    client = await server("help.example.com", "127.0.0.1")
    headers = {"Host": "127.0.0.1:8080", "Origin": "https://help.example.com"}

    ws = await client.ws_connect("/ws/agent", headers=headers)
    await ws.close()
    response = await client.get("/", headers={"Host": "help.example.com"})
    assert response.status == 200


async def test_a_leading_dot_allows_subdomains_and_the_name_itself(server) -> None:
    client = await server(".example.com")
    for host, status in [
        ("help.example.com", 200),
        ("example.com", 200),
        ("badexample.com", 400),
        ("example.com.attacker.example", 400),
    ]:
        response = await client.get("/", headers={"Host": host})
        assert response.status == status, host


async def test_a_star_allows_any_name(server) -> None:
    client = await server("*")
    response = await client.get("/", headers=REBOUND)
    assert response.status == 200


async def test_a_null_origin_is_refused(server) -> None:
    client = await server()
    response = await client.post("/api/chat/messages", headers={"Origin": "null"}, json={})
    assert response.status == 403


async def test_the_health_check_answers_to_any_name(server) -> None:
    # Load balancers and Kubernetes probes address the instance by IP.
    client = await server()
    response = await client.get("/healthz", headers={"Host": "10.0.3.7:8080"})
    assert response.status == 200


async def test_a_scan_of_names_is_logged_once_per_name(server, caplog) -> None:
    client = await server()
    with caplog.at_level(logging.WARNING, logger="adapters.web.hosts"):
        for _ in range(3):
            await client.get("/", headers={"Host": "attacker.example"})
        for n in range(300):
            await client.get("/", headers={"Host": f"scan{n}.example"})
    refused = [r for r in caplog.records if "DESKBOT_ALLOWED_HOSTS" in r.getMessage()]
    assert sum("attacker.example" in r.getMessage() for r in refused) == 1
    assert len(refused) <= 100


@pytest.mark.parametrize(
    "value", ["", " , ", "https://help.example.com", "help.example.com:443", "a b", "user@host"]
)
def test_bad_entries_are_named(value) -> None:
    with pytest.raises(ValueError):
        parse_allowed_hosts(value)


def test_entries_are_names_and_addresses() -> None:
    assert parse_allowed_hosts(" Help.Example.com ,10.0.0.5,::1,.example.org") == (
        "help.example.com",
        "10.0.0.5",
        "::1",
        ".example.org",
    )
