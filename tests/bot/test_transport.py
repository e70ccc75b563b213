"""The bot's HTTP transport (PTB's requests over aiohttp) against real loopback servers: the
proxy the environment names, uploads with Chinese file names, and PTB's errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest
from emulator.server import Emulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ANSWER = b'{"ok":true,"result":true}'


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """Serve `handler` for any path on a loopback port; yield its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def transport(**timeouts: float) -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(**timeouts)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def recorder(seen: list[str]) -> Handler:
    async def answer(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {request.headers['Host']}{request.path}")
        return web.Response(body=ANSWER, content_type="application/json")

    return answer


def _no_proxy(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, value)


def _http_proxy(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, value)


async def test_calls_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxied: list[str] = []
    direct: list[str] = []
    async with serving(recorder(proxied)) as proxy, serving(recorder(direct)) as api:
        port = api.rsplit(":", 1)[1]
        _http_proxy(monkeypatch, proxy)
        _no_proxy(monkeypatch, "127.0.0.1")  # loopback by address stays direct
        async with transport() as request:
            via_name = await request.do_request(f"http://localhost:{port}/botX/getMe", "POST")
            by_address = await request.do_request(f"{api}/botX/getMe", "POST")
    assert via_name == (200, ANSWER)
    assert by_address == (200, ANSWER)
    # The proxy got the call for the named host, with that host; the other went straight.
    assert proxied == [f"POST localhost:{port}/botX/getMe"]
    assert direct == [f"POST 127.0.0.1:{port}/botX/getMe"]


async def test_a_proxy_written_without_its_scheme_is_an_http_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxied: list[str] = []
    async with serving(recorder(proxied)) as proxy, serving(recorder([])) as api:
        port = api.rsplit(":", 1)[1]
        _http_proxy(monkeypatch, proxy.removeprefix("http://"))  # HTTP_PROXY=127.0.0.1:3128
        _no_proxy(monkeypatch, "")
        async with transport() as request:
            answer = await request.do_request(f"http://localhost:{port}/botX/getMe", "POST")
    assert answer == (200, ANSWER)
    assert proxied == [f"POST localhost:{port}/botX/getMe"]


async def test_without_a_proxy_setting_calls_go_straight(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    _no_proxy(monkeypatch, "")
    seen: list[str] = []
    async with serving(recorder(seen)) as api, transport() as request:
        assert await request.do_request(f"{api}/botX/getMe", "GET") == (200, ANSWER)
    assert seen == [f"GET {api.removeprefix('http://')}/botX/getMe"]


async def test_a_document_with_a_chinese_name_goes_up_and_comes_back_down() -> None:
    # A real PTB bot on this transport, against the emulator: a multipart upload out, then
    # getFile and the download (a GET) back in.
    content = b"PK\x03\x04 docx bytes"
    async with Emulator.running() as emu:
        chat = emu.add_group("社区科工作群")
        bot = Bot(
            emu.token,
            base_url=emu.base_url,
            base_file_url=emu.base_file_url,
            request=AiohttpRequest(),
        )
        async with bot:
            sent = await bot.send_document(
                chat.id,
                InputFile(content, filename="督办通知单（社区科）.docx"),
                caption="请查收：2022年第3期督办通知单",
            )
            assert sent.document is not None
            assert sent.document.file_name == "督办通知单（社区科）.docx"
            assert sent.caption == "请查收：2022年第3期督办通知单"
            found = await bot.get_file(sent.document.file_id)
            assert bytes(await found.download_as_bytearray()) == content
    stored = emu.state.chats[chat.id].messages[sent.message_id]
    assert stored["document"]["file_name"] == "督办通知单（社区科）.docx"


async def test_a_file_name_goes_out_as_utf8_not_percent_encoded() -> None:
    # The form part's header as written on the wire: Telegram shows the name it reads there
    # (the emulator decodes either form, so it cannot tell).
    headers: list[str] = []

    async def api(request: web.Request) -> web.Response:
        if request.path.endswith("/getMe"):
            me = {"id": 1, "is_bot": True, "first_name": "督办助手", "username": "duban_bot"}
            return web.json_response({"ok": True, "result": me})
        reader = await request.multipart()
        async for part in reader:
            headers.append(part.headers["Content-Disposition"])
        chat = {"id": -100, "type": "group", "title": "社区科工作群"}
        document = {"file_id": "f", "file_unique_id": "u"}
        message = {"message_id": 1, "date": 0, "chat": chat, "document": document}
        return web.json_response({"ok": True, "result": message})

    async with serving(api) as base:
        bot = Bot("1:x", base_url=f"{base}/bot", request=AiohttpRequest())
        async with bot:
            await bot.send_document(-100, InputFile(b"docx", filename="督办通知单（社区科）.docx"))
    assert 'filename="督办通知单（社区科）.docx"' in headers[-1]


async def test_a_redirect_is_not_followed() -> None:
    # A POST re-sent elsewhere, or turned into a GET without its body, would lose the call.
    moved: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        if request.path.endswith("/moved"):
            moved.append(request.method)
            return web.Response(body=ANSWER, content_type="application/json")
        raise web.HTTPTemporaryRedirect(f"{request.path}/moved")

    async with serving(redirect) as api, transport() as request:
        status, _ = await request.do_request(f"{api}/botX/sendMessage", "POST")
    assert status == 307
    assert moved == []


async def test_a_slow_download_is_not_cut_off_while_data_keeps_coming() -> None:
    # Every wait for data is bounded (read timeout), the whole download is not: a 20 MB
    # evidence file through a slow proxy takes longer than the timeouts added up.
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(8):
            await response.write(b"x" * 1024)
            await asyncio.sleep(0.03)
        await response.write_eof()
        return response

    timeouts = {"read_timeout": 0.1, "write_timeout": 0.01, "connect_timeout": 0.05}
    async with serving(trickle) as api, transport(pool_timeout=0.01, **timeouts) as request:
        status, body = await request.do_request(f"{api}/file/botX/evidence.jpg", "GET")
    assert (status, len(body)) == (200, 8 * 1024)


async def test_an_api_that_does_not_answer_in_time_is_timed_out() -> None:
    never = asyncio.Event()

    async def silent(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response(body=ANSWER)

    async with serving(silent) as api, transport(read_timeout=0.05) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"{api}/botX/getMe", "POST")
        # A call may ask for longer (getUpdates adds its long poll); still bounded.
        with pytest.raises(TimedOut):
            await request.do_request(f"{api}/botX/getUpdates", "POST", read_timeout=0.1)
        never.set()  # let the server's handlers end before it stops


async def test_an_api_that_is_not_there_is_a_network_error() -> None:
    async with serving(recorder([])) as api:
        gone = api  # the port is free again once the server stops
    async with transport() as request:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as caught:
            await request.do_request(f"{gone}/botX/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)


async def test_a_shut_down_transport_refuses_and_starts_again() -> None:
    seen: list[str] = []
    async with serving(recorder(seen)) as api:
        request = AiohttpRequest()
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(f"{api}/botX/getMe", "POST")
        await request.initialize()
        await request.shutdown()
        await request.shutdown()  # twice is harmless
        await request.initialize()
        try:
            assert await request.do_request(f"{api}/botX/getMe", "POST") == (200, ANSWER)
        finally:
            await request.shutdown()
    assert len(seen) == 1
