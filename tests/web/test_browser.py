"""The board in a real headless Chromium (Debian's package, driven by Playwright).

Log in with a link; the bureau's counts equal `duban status --json`; a unit link opens its
own pages only; used and expired links show nothing of the plan; the task page lists the
entries and opens an evidence file; screenshots at 1920×1080 and phone size. Set
DUBAN_SCREENSHOT_DIR (e.g. docs/screenshots) to keep the screenshots; .ci/install-browser
installs Chromium.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.web.conftest import EVIDENCE_NOTE, NOW, BoardServer

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PLAN_WORDS = ("构建综合救助格局", "社会事务科", "逾期")
LIGHTS = ("red", "yellow", "green", "done")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Run the browser tests on SQLite only; the HTTP tests cover PostgreSQL."""
    return sqlite_url


@pytest.fixture
def chromium() -> Path:
    """Return Debian's Chromium, or fail saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run .ci/install-browser (apt-get install chromium)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Return where screenshots go: DUBAN_SCREENSHOT_DIR, else a temporary folder."""
    folder = Path(os.environ.get("DUBAN_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Launch Debian's Chromium headless; never a browser Playwright downloads itself."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def _open(browser: Browser, link: str, **context: object) -> Page:
    ctx = await browser.new_context(locale="zh-CN", **context)  # type: ignore[arg-type]
    page = await ctx.new_page()
    await page.goto(link)
    await page.wait_for_load_state("networkidle")
    return page


def _status_json(board: BoardServer) -> dict[str, object]:
    url = board.db.url
    clock = NOW.isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", url, "--clock", clock, "status", "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    data: dict[str, object] = json.loads(done.stdout)
    return data


async def test_a_link_logs_in_and_the_bureau_counts_equal_duban_status_json(
    board: BoardServer, browser: Browser
) -> None:
    page = await _open(browser, await board.link("leadership"))
    assert page.url == f"{board.url}/"  # the token is gone from the address
    cookie = next(c for c in await page.context.cookies() if c["name"] == "duban_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"

    status = _status_json(board)
    rows = status["tasks"]
    assert isinstance(rows, list)
    totals = Counter(r["light"] for r in rows)
    for light in LIGHTS:
        shown = await page.locator(f"#totals [data-count={light}]").inner_text()
        assert int(shown) == totals[light], light
    assert int(await page.locator("#totals [data-count=rows]").inner_text()) == len(rows)
    units = list(dict.fromkeys(r["unit"] for r in rows))
    tiles = page.locator("#tiles .tile")
    assert await tiles.count() == len(units)
    for unit in units:
        tile = page.locator(f'#tiles .tile[data-unit="{unit}"]')
        mine = Counter(r["light"] for r in rows if r["unit"] == unit)
        for light in LIGHTS:
            assert int(await tile.locator(f"[data-count={light}]").inner_text()) == mine[light]
    # Overdue and blocked items first, and the chart image actually loads.
    assert "逾期" in await page.locator("#attention .item").first.inner_text()
    loaded = await page.locator("#chart img").evaluate("img => img.naturalWidth")
    assert loaded > 300


async def test_a_unit_link_opens_neither_another_unit_nor_the_bureau(
    board: BoardServer, browser: Browser
) -> None:
    page = await _open(browser, await board.link("社区科"))
    assert page.url.endswith("/unit/%E7%A4%BE%E5%8C%BA%E7%A7%91")
    assert "4.1" in await page.locator("#rows").inner_text()
    await page.goto(f"{board.url}/unit/社救科")
    text = await page.locator("body").inner_text()
    assert "无权查看" in text
    assert "2.1" not in text
    await page.goto(f"{board.url}/")
    assert page.url.endswith("/unit/%E7%A4%BE%E5%8C%BA%E7%A7%91")
    assert await page.locator("#tiles").count() == 0
    await page.goto(f"{board.url}/task/2.1")
    assert "构建综合救助格局" not in await page.locator("body").inner_text()


async def test_used_or_expired_links_show_nothing_of_the_plan(
    board: BoardServer, browser: Browser
) -> None:
    link = await board.link("leadership")
    await _open(browser, link)
    expired = await board.link("社救科", ttl=timedelta(hours=1))
    board.clock.advance(timedelta(hours=2))
    for stale in (link, expired):
        page = await _open(browser, stale)
        text = await page.locator("body").inner_text()
        assert "链接无效或已过期" in text
        assert "获取新链接" in text
        assert not any(word in text for word in PLAN_WORDS)
        await page.goto(f"{board.url}/")
        assert "请先通过看板链接进入" in await page.locator("body").inner_text()


async def test_the_task_page_lists_entries_and_opens_an_evidence_file(
    board: BoardServer, browser: Browser
) -> None:
    page = await _open(browser, await board.link("社救科"))
    await page.goto(f"{board.url}/task/2.3")
    entries = page.locator(".entry")
    assert await entries.count() == 2
    assert "街道调整导致协议需重新审核" in await entries.nth(0).inner_text()
    assert EVIDENCE_NOTE in await entries.nth(1).inner_text()
    assert "王科长" in await entries.nth(1).inner_text()
    assert "待审批" in await page.locator("table.extensions").inner_text()
    async with page.expect_popup() as opened:
        await page.locator("a.file").first.click()
    evidence = await opened.value
    await evidence.wait_for_load_state()
    assert await evidence.evaluate("document.images[0].naturalWidth") == 8


async def test_screenshots_of_the_bureau_read_at_1920_and_on_a_phone(
    board: BoardServer, browser: Browser, screenshot_dir: Path
) -> None:
    folder = screenshot_dir
    sizes = {
        "bureau-1920x1080.png": {"viewport": {"width": 1920, "height": 1080}},
        "bureau-phone.png": {
            "viewport": {"width": 390, "height": 844},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        },
    }
    for name, options in sizes.items():
        page = await _open(browser, await board.link("leadership"), **options)
        await page.locator("#chart img").evaluate("img => img.decode()")
        # Nothing sticks out sideways: a phone never scrolls the board horizontally.
        overflow = await page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, name
        await page.screenshot(path=str(folder / name), full_page=name.endswith("phone.png"))
        assert len(await page.screenshot()) > 20_000
    # A unit's own page on a phone, and a task's page on the wall screen.
    unit = await _open(browser, await board.link("社救科"), **sizes["bureau-phone.png"])
    assert await unit.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    await unit.screenshot(path=str(folder / "unit-phone.png"))
    wide = await _open(browser, await board.link("leadership"), **sizes["bureau-1920x1080.png"])
    await wide.goto(f"{board.url}/task/2.3")
    await wide.screenshot(path=str(folder / "task-1920x1080.png"))
    await wide.goto(f"{board.url}/")
    # On the wall screen the tiles, the attention list and the chart are all in view.
    for section in ("#tiles", "#attention", "#chart img"):
        box = await wide.locator(section).bounding_box()
        assert box is not None
        assert box["y"] + min(box["height"], 200) <= 1080, section
