"""The reports dashboard in headless Chromium against the real desk (engine, read side, SQLite
or PostgreSQL) with the known history of tests/integration/test_reports.py, at desktop and phone
sizes, in English and Persian. Synchronisation is by Playwright's auto-waiting ``expect``.

Screenshots land in /tmp/dash-shots/ for a person to look at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.web.app import setup_web_chat
from conversations.reports.period import Filters, Period
from tests.e2e.test_web_chat_browser import (  # noqa: F401  (fixtures)
    _console_errors,
    _serve,
    browser,
    chromium,
)
from tests.harness import DeskHarness
from tests.integration.test_reports import TUESDAY, history

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/dash-shots")
TUE = TUESDAY.isoformat()
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
NO_DATA = {"en": "No data for this period.", "fa": "برای این دوره داده‌ای نیست."}


@pytest.fixture(autouse=True)
def _shots() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
async def site(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[tuple[str, DeskHarness]]:
    harness = DeskHarness(sessions)
    await history(harness)
    app = web.Application()
    setup_web_chat(app, harness.desk)
    runner, base = await _serve(app)
    try:
        yield base, harness
    finally:
        await runner.cleanup()


async def _open(
    chrome: Browser, base: str, *, viewport: str, lang: str, query: str
) -> tuple[Page, list[str]]:
    context = await chrome.new_context(viewport=VIEWPORTS[viewport])  # type: ignore[arg-type]
    # The language switch remembers its choice; start the page in ``lang`` as if chosen before.
    await context.add_init_script(f"localStorage.setItem('deskbot.consoleLang', '{lang}')")
    page = await context.new_page()
    errors = _console_errors(page)
    await page.goto(f"{base}/agent/reports?{query}")
    return page, errors


def _share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


async def _no_horizontal_overflow(page: Page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = await page.evaluate(
        """Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
          || e.getBoundingClientRect().left < -1)
        .slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen: {wide}"


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
async def test_the_dashboard_shows_the_reports_numbers(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
    viewport: str,
    lang: str,
) -> None:
    base, harness = site
    figures: dict[str, Any] = await harness.reads.report(Period(TUESDAY, TUESDAY))
    page, errors = await _open(
        browser, base, viewport=viewport, lang=lang, query=f"from={TUE}&to={TUE}"
    )

    await expect(page.get_by_test_id("value-tickets-created")).to_have_text(
        str(figures["tickets"]["created"])
    )
    assert await page.evaluate("document.documentElement.dir") == ("rtl" if lang == "fa" else "ltr")
    assert await page.evaluate("document.documentElement.lang") == lang
    for key, value in figures["tickets"].items():
        await expect(page.get_by_test_id(f"value-tickets-{key}")).to_have_text(str(value))
        previous = str(figures["previous"]["tickets"][key])
        await expect(page.get_by_test_id(f"previous-tickets-{key}")).to_contain_text(previous)
    for key in ("open", "unassigned", "unattended", "pending", "breached"):
        await expect(page.get_by_test_id(f"value-live-{key}")).to_have_text(
            str(figures["live"][key])
        )
    await expect(page.get_by_test_id("value-sla-breaches")).to_have_text(
        str(figures["sla"]["breaches"])
    )
    await expect(page.get_by_test_id("value-fcr")).to_have_text(_share(figures["fcr_rate"]))
    await expect(page.get_by_test_id("value-deflection")).to_have_text(
        _share(figures["self_service"]["deflection_rate"])
    )
    await expect(page.get_by_test_id("n-first_response_minutes")).to_have_text(
        str(figures["first_response_minutes"]["n"])
    )
    await expect(page.get_by_test_id("no-data")).to_be_hidden()
    await expect(page.get_by_test_id("chart-volume").locator("rect.bar")).to_have_count(2)
    heat = page.get_by_test_id("heatmap").locator("rect[data-count='1']")
    await expect(heat).to_have_count(3)  # #2 09:00, #3 11:00, #4 12:00 on Tuesday
    await expect(page.get_by_test_id("agents-row")).to_have_count(len(figures["agents"]))
    await expect(page.get_by_test_id("articles-row")).to_have_count(len(figures["articles"]))

    # A figure opens the tickets it counts.
    await page.get_by_test_id("value-tickets-created").click()
    rows = page.get_by_test_id("drill-row")
    await expect(rows).to_have_count(3)
    assert [await r.get_attribute("data-ticket-id") for r in await rows.all()] == ["2", "3", "4"]
    await page.get_by_test_id("value-live-unattended").click()
    await expect(page.get_by_test_id("drill")).to_have_attribute("data-figure", "unattended")
    await expect(rows).to_have_count(1)
    assert await rows.first.get_attribute("data-ticket-id") == "3"
    # An agent's count opens that agent's tickets: Bea resolved #4 (twice: one ticket).
    bea = page.get_by_test_id("agents-row").filter(has_text="Bea")
    await bea.locator("button[data-figure='agent_resolved']").click()
    await expect(page.get_by_test_id("drill")).to_have_attribute("data-figure", "agent_resolved")
    await expect(rows).to_have_count(1)
    assert await rows.first.get_attribute("data-ticket-id") == "4"
    await expect(page.get_by_test_id("drill-title")).to_contain_text("Bea")

    await page.screenshot(path=str(SHOTS / f"{viewport}-{lang}.png"), full_page=True)
    await _no_horizontal_overflow(page)
    body = await page.inner_text("body")
    assert "NaN" not in body and "undefined" not in body
    assert errors == []
    await page.context.close()


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "en"), ("phone", "fa")])
async def test_a_pushed_ticket_change_updates_the_live_cards(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
    viewport: str,
    lang: str,
) -> None:
    base, _ = site
    page, errors = await _open(
        browser, base, viewport=viewport, lang=lang, query=f"from={TUE}&to={TUE}"
    )
    await expect(page.get_by_test_id("value-live-unassigned")).to_have_text("1")
    await expect(page.get_by_test_id("reports-status")).to_have_attribute("data-state", "online")
    await page.evaluate("window.__sameDocument = true")

    # Another agent claims #3 in the console: the server pushes a refresh on /ws/agent, and the
    # page refetches the live figures alone.
    live = "/api/agent/reports/live?"
    async with page.expect_request(lambda request: live in request.url) as refetch:
        async with aiohttp.ClientSession() as client:
            response = await client.post(
                f"{base}/api/agent/commands",
                json={"text": "claim 3", "event_id": "claim-3-from-test"},
                headers={"X-Deskbot-Agent": "Ali"},
            )
            assert response.status == 200, await response.text()
            assert (await response.json())["ok"]
    assert f"from={TUE}" in (await refetch.value).url  # the page's own query

    await expect(page.get_by_test_id("value-live-unassigned")).to_have_text("0")
    assert await page.evaluate("window.__sameDocument === true")  # no reload
    assert errors == []
    await page.context.close()


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "en"), ("phone", "fa")])
async def test_an_empty_period_says_so(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
    viewport: str,
    lang: str,
) -> None:
    base, _ = site
    page, errors = await _open(
        browser, base, viewport=viewport, lang=lang, query="from=2026-01-01&to=2026-01-07"
    )
    await expect(page.get_by_test_id("no-data")).to_have_text(NO_DATA[lang])
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("0")
    await expect(page.get_by_test_id("value-fcr")).to_have_text("—")
    await expect(page.get_by_test_id("charts")).to_be_hidden()
    body = await page.inner_text("body")
    assert "NaN" not in body and "undefined" not in body and "null" not in body
    await page.screenshot(path=str(SHOTS / f"empty-{viewport}-{lang}.png"), full_page=True)
    await _no_horizontal_overflow(page)
    assert errors == []
    await page.context.close()


async def test_bad_input_and_the_language_switch(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
) -> None:
    base, _ = site
    page, errors = await _open(
        browser, base, viewport="desktop", lang="en", query=f"from={TUE}&to={TUE}"
    )
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("3")
    await page.get_by_test_id("ui-lang").select_option("fa")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("3")
    await page.get_by_test_id("control-agent").fill("nobody-like-this")
    await page.get_by_test_id("control-apply").click()
    await expect(page.get_by_test_id("report-error")).to_contain_text("'agent'")
    assert "agent=nobody-like-this" in page.url
    await page.get_by_test_id("control-agent").fill("")
    await page.get_by_test_id("control-channel").select_option("telegram")
    await page.get_by_test_id("control-apply").click()
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("1")
    await expect(page.get_by_test_id("report-error")).to_be_hidden()
    # Errors answered by the API show in the page; the browser logs the 400 itself.
    assert all("400" in e for e in errors), errors
    await page.context.close()


@pytest.mark.parametrize(("viewport", "lang"), [("desktop", "en"), ("phone", "fa")])
async def test_an_article_narrows_the_whole_report_to_it(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
    viewport: str,
    lang: str,
) -> None:
    base, harness = site
    article = "forgotten-password"
    narrowed: dict[str, Any] = await harness.reads.report(
        Period(TUESDAY, TUESDAY), Filters(article=article)
    )
    page, errors = await _open(
        browser, base, viewport=viewport, lang=lang, query=f"from={TUE}&to={TUE}"
    )
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("3")
    link = page.get_by_test_id("articles-filter").filter(has_text=article)
    await link.click()
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text(
        str(narrowed["tickets"]["created"])
    )
    assert f"article={article}" in page.url
    await expect(page.get_by_test_id("control-article")).to_have_value(article)
    await expect(page.get_by_test_id("articles-row")).to_have_count(len(narrowed["articles"]))
    await expect(page.get_by_test_id("value-deflection")).to_have_text(
        _share(narrowed["self_service"]["deflection_rate"])
    )
    await page.screenshot(path=str(SHOTS / f"article-{viewport}-{lang}.png"), full_page=True)
    # Back returns to the whole desk.
    await page.go_back()
    await expect(page.get_by_test_id("value-tickets-created")).to_have_text("3")
    assert errors == []
    await page.context.close()


async def test_the_console_links_to_the_reports(
    browser: Browser,  # noqa: F811
    site: tuple[str, DeskHarness],
) -> None:
    base, _ = site
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base}/agent")
    await page.get_by_test_id("reports-link").click()
    await expect(page).to_have_url(f"{base}/agent/reports")
    await expect(page.get_by_test_id("live-cards").locator(".card")).to_have_count(6)
    await page.context.close()
