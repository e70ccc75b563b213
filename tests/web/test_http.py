"""The board over HTTP: who may look, what the headers say, and that pages only read."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from urllib.parse import quote

import aiohttp
import pytest

from tests.web.conftest import EVIDENCE, EVIDENCE_NAME, BoardServer

PLAN_WORDS = ("社救科", "构建综合救助格局", "逾期")


def _client() -> aiohttp.ClientSession:
    """Return a client that keeps cookies from 127.0.0.1 (aiohttp refuses IP hosts by default)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _login(http: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
    """Do what the login page's script does: post the token back."""
    async with http.get(link) as page:
        assert page.status == 200
        token = re.search(r'name="t" value="([^"]+)"', await page.text())
        assert token is not None
    base = link.split("/login")[0]
    response = await http.post(f"{base}/login", data={"t": token.group(1)}, allow_redirects=False)
    await response.release()
    return response


async def test_a_leadership_link_opens_a_strict_httponly_session_and_leaves_the_address(
    board: BoardServer,
) -> None:
    async with _client() as http:
        response = await _login(http, await board.link("leadership"))
        assert response.status == 303
        assert response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Max-Age=604800" in cookie
        assert "Secure" not in cookie  # served over plain HTTP here
        async with http.get(f"{board.url}/") as page:
            assert page.status == 200
            text = await page.text()
            headers = page.headers
    assert 'data-unit="社区科"' in text
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert float(headers["Server-Timing"].split("dur=")[1]) > 0


@pytest.mark.parametrize("path", ["/", "/unit/社救科", "/task/2.1", "/chart.png", "/downloads"])
async def test_without_a_session_nothing_of_the_plan_is_shown(
    board: BoardServer, path: str
) -> None:
    async with _client() as http, http.get(board.url + path) as page:
        text = await page.text()
    assert page.status == 401
    assert "请先通过看板链接进入" in text
    assert not any(word in text for word in PLAN_WORDS)


async def test_used_expired_and_wrong_links_say_how_to_get_a_new_one(board: BoardServer) -> None:
    used = await board.link("leadership")
    expired = await board.link("leadership", ttl=timedelta(minutes=5))
    async with _client() as http:
        await _login(http, used)
    board.clock.advance(timedelta(minutes=5))
    token = used.split("t=")[1]
    async with _client() as http:
        for link in (used, expired, f"{board.url}/login?t=nonsense"):
            async with http.get(link) as page:
                text = await page.text()
            assert page.status == 403
            assert "链接无效或已过期" in text
            assert "获取新链接" in text
            assert not any(word in text for word in PLAN_WORDS)
        again = await http.post(f"{board.url}/login", data={"t": token}, allow_redirects=False)
        assert again.status == 403
        assert "Set-Cookie" not in again.headers


async def test_a_unit_session_sees_its_own_pages_only(board: BoardServer) -> None:
    async with _client() as http:
        response = await _login(http, await board.link("社区科"))
        assert response.headers["Location"] == f"/unit/{quote('社区科')}"
        async with http.get(f"{board.url}/unit/社区科") as own:
            assert own.status == 200
            assert "4.1" in await own.text()
        async with http.get(f"{board.url}/", allow_redirects=False) as bureau:
            assert bureau.status == 303  # to its own page, never the bureau
        for path in ("/unit/社救科", "/task/2.1", "/download/notice/2.1/社救科.docx"):
            async with http.get(board.url + path) as other:
                text = await other.text()
            assert other.status == 403, path
            assert "构建综合救助格局" not in text
        for path in (
            "/chart.png",
            "/download/ledger.xlsx",
            "/download/bulletin.docx?month=2022-06",
        ):
            async with http.get(board.url + path) as leadership_only:
                assert leadership_only.status == 403, path


async def test_evidence_opens_for_its_unit_and_leadership_only(board: BoardServer) -> None:
    async with _client() as http:
        await _login(http, await board.link("社救科"))
        async with http.get(f"{board.url}/task/2.3") as page:
            text = await page.text()
        found = re.findall(r'href="(/evidence/\d+)"', text)
        assert len(found) == 1  # the second file exists only in the chat
        assert "（在聊天中）" in text
        assert EVIDENCE_NAME in text
        async with http.get(board.url + found[0]) as file:
            assert await file.read() == EVIDENCE
            assert file.headers["Content-Type"] == "image/png"
            assert "sandbox" in file.headers["Content-Security-Policy"]
            # Served under the name it was sent with.
            assert quote(EVIDENCE_NAME) in file.headers["Content-Disposition"]
    async with _client() as http:
        await _login(http, await board.link("婚姻科"))
        async with http.get(board.url + found[0]) as file:
            assert file.status == 403


async def test_pages_only_read_and_revoked_sessions_end(board: BoardServer) -> None:
    from storage.web_access import revoke

    async with _client() as http:
        await _login(http, await board.link("leadership"))
        for path in ("/", "/unit/社救科", "/task/2.1"):
            async with http.post(board.url + path) as post:
                assert post.status == 405
        async with board.db.session() as session:
            await revoke(session, board.clock.now())
        async with http.get(f"{board.url}/") as page:
            assert page.status == 401


async def test_downloads_are_documents_and_the_ledger(board: BoardServer) -> None:
    async with _client() as http:
        await _login(http, await board.link("leadership"))
        for path, magic in (
            ("/download/ledger.xlsx", b"PK"),
            ("/download/notice/2.1/社救科.docx", b"PK"),
            ("/download/bulletin.docx?month=2022-06", b"PK"),
            ("/download/bulletin.docx?week=2022-06-27", b"PK"),
            ("/download/summary.docx?half=1&y=2022", b"PK"),
            ("/download/summary.docx?y=2022&unit=社区科", b"PK"),
        ):
            async with http.get(board.url + path) as file:
                assert file.status == 200, path
                assert (await file.read()).startswith(magic)
                assert "attachment" in file.headers["Content-Disposition"]
        async with http.get(f"{board.url}/download/notice/3.4/社会事务科.docx") as done:
            assert done.status == 400
            assert "已办结" in await done.text()


async def test_the_bureau_page_is_rebuilt_when_the_ledger_changes_and_only_then(
    board: BoardServer,
) -> None:
    from storage import signoffs
    from storage.progress import record_entry
    from storage.records import EntryDraft
    from web.context import BOARD

    async with _client() as http:
        await _login(http, await board.link("leadership"))
        pages = await asyncio.gather(*(http.get(f"{board.url}/") for _ in range(5)))
        texts = [await p.text() for p in pages]
        assert len(set(texts)) == 1
        assert 'data-count="done">2<' in texts[0]
        cache = board.app[BOARD].bureau_cache
        assert cache.builds == 1  # five at once, one build
        async with board.db.session() as session:
            draft = EntryDraft("2.3", "社救科", "done", "王科长", "cli", note="协议已签署")
            done = await record_entry(session, draft, board.clock.now())
        async with http.get(f"{board.url}/") as page:
            assert 'data-count="done">2<' in await page.text()  # 待验收: not yet 办结
        async with board.db.session() as session:
            await signoffs.record(session, done.id, "pass", "局长", board.clock.now())
        async with http.get(f"{board.url}/") as page:
            assert 'data-count="done">3<' in await page.text()
        assert cache.builds == 3  # the first view, after the report, after the sign-off


async def test_the_cookie_is_secure_when_the_board_is_published_over_https(
    board: BoardServer,
) -> None:
    from dataclasses import replace

    from web.context import BOARD

    served = board.app[BOARD]
    served.config = replace(served.config, public_url="https://duban.example.gov.cn")
    async with _client() as http:
        response = await _login(http, await board.link("leadership"))
    assert "Secure" in response.headers["Set-Cookie"]


async def test_unknown_pages_say_so_and_nothing_more(board: BoardServer) -> None:
    async with _client() as http:
        await _login(http, await board.link("leadership"))
        for path in ("/unit/外星科", "/task/9.9", "/evidence/999", "/evidence/x"):
            async with http.get(board.url + path) as page:
                assert page.status == 404, path
                assert "未找到" in await page.text()


async def test_another_site_cannot_post_a_link_into_this_browser(board: BoardServer) -> None:
    token = (await board.link("leadership")).split("t=")[1]
    async with _client() as http:
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            response = await http.post(
                f"{board.url}/login", data={"t": token}, headers=headers, allow_redirects=False
            )
            assert response.status == 403
            assert "Set-Cookie" not in response.headers
        ours = await http.post(
            f"{board.url}/login", data={"t": token}, headers={"Origin": board.url},
            allow_redirects=False,
        )  # fmt: skip
        assert ours.status == 303
