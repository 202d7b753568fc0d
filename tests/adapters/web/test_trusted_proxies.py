"""X-Forwarded-For and -Proto are believed from a listed proxy only (DESKBOT_TRUSTED_PROXIES):
the console cookie is Secure when the client reached the proxy over TLS, and the login throttle
counts the real client, whom nobody else can pose as."""

from __future__ import annotations

import ipaddress

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from adapters.web.channel import WebSettings
from adapters.web.proxies import TrustedProxies, parse_trusted_proxies

TOKEN = "s3cret-agent-token"
LOOPBACK = TrustedProxies(parse_trusted_proxies("127.0.0.1,::1"))  # the test client's address
ELSEWHERE = TrustedProxies(parse_trusted_proxies("10.0.0.0/8"))


def _via_proxy(client: str, proto: str = "https") -> dict[str, str]:
    return {"X-Forwarded-For": client, "X-Forwarded-Proto": proto}


async def _login(client, headers: dict[str, str], token: str = TOKEN):
    return await client.post("/agent/login", json={"token": token}, headers=headers)


async def test_behind_a_trusted_tls_proxy_the_cookie_is_secure(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN, trusted_proxies=LOOPBACK)
    over_tls = await _login(client, _via_proxy("203.0.113.7"))
    assert over_tls.status == 200
    assert over_tls.cookies["deskbot_agent"]["secure"] is True

    over_http = await _login(client, _via_proxy("203.0.113.7", proto="http"))
    assert over_http.cookies["deskbot_agent"]["secure"] == ""


@pytest.mark.parametrize("proxies", [None, ELSEWHERE], ids=["none listed", "peer not listed"])
async def test_forwarded_headers_from_anyone_else_are_not_believed(desk, serve, proxies) -> None:
    client, _ = await serve(desk, agent_token=TOKEN, trusted_proxies=proxies)
    response = await _login(client, _via_proxy("203.0.113.7"))
    assert response.cookies["deskbot_agent"]["secure"] == ""

    # Nor can a guesser pose as a new address for each try to dodge the throttle.
    for n in range(10):
        assert (await _login(client, _via_proxy(f"198.51.100.{n}"), "guess")).status == 401
    assert (await _login(client, _via_proxy("198.51.100.99"), "guess")).status == 429


async def test_the_throttle_counts_each_client_behind_the_proxy(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN, trusted_proxies=LOOPBACK)
    guesser = _via_proxy("198.51.100.20")
    for _ in range(10):
        assert (await _login(client, guesser, "guess")).status == 401
    assert (await _login(client, guesser, "guess")).status == 429

    # A colleague behind the same proxy signs in; the guesser's own address said nothing.
    assert (await _login(client, _via_proxy("203.0.113.7"))).status == 200
    # The client's own X-Forwarded-For entries (left of the proxy's) change nothing.
    spoofed = _via_proxy("203.0.113.7, 198.51.100.20")
    assert (await _login(client, spoofed, "guess")).status == 429


async def test_unreadable_forwarded_headers_are_ignored_not_an_error(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN, trusted_proxies=LOOPBACK)
    for headers in (
        {"X-Forwarded-For": "not-an-address", "X-Forwarded-Proto": "gopher"},
        {"X-Forwarded-For": "", "X-Forwarded-Proto": ""},
        {"X-Forwarded-For": ",,,", "X-Forwarded-Proto": "https, ftp"},
    ):
        response = await _login(client, headers)
        assert response.status == 200
        assert response.cookies["deskbot_agent"]["secure"] == ""


async def test_a_socket_through_the_proxy_still_opens(desk, serve) -> None:
    client, _ = await serve(desk, trusted_proxies=LOOPBACK)
    ws = await client.ws_connect("/ws/agent", headers=_via_proxy("203.0.113.7"))
    await ws.close()


async def test_the_middleware_sees_the_client_and_scheme() -> None:
    seen: list[tuple[str | None, str]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append((request.remote, request.scheme))
        return web.Response()

    proxies = TrustedProxies(parse_trusted_proxies("10.0.0.0/8"))
    request = make_mocked_request(
        "GET",
        "/",
        headers={"X-Forwarded-For": "192.0.2.1, 10.1.1.1", "X-Forwarded-Proto": "https"},
    )
    # A CDN (10.1.1.1) in front of the proxy (the peer): both listed, so the client is the next.
    request = request.clone(remote="10.2.2.2")
    await proxies.middleware(request, handler)
    assert seen == [("192.0.2.1", "https")]


def test_the_setting_is_checked_at_start() -> None:
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" 10.0.0.0/8 , ::1 ") == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1"),
    )
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address"):
        parse_trusted_proxies("10.0.0.1,proxy.example")
    with pytest.raises(ValueError, match=r"is not an IP address"):
        WebSettings.model_validate({"DESKBOT_TRUSTED_PROXIES": "10.0.0.300"})
