"""The callback URL end to end: the stand-in posts encrypted, signed callbacks over loopback."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.wecom.callback import ReplayGuard, WeComCallback
from bot.wecom.crypto import WeComCrypto
from bot.wecom.events import CardEvent, MediaMessage, TextMessage
from emulator.wecom import WeComEmulator
from emulator.wecom.crypto import CallbackCrypto
from tests.wecom.conftest import CallbackServer

TEXT = (
    "<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[wang]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[60% 已签约3家]]></Content><MsgId>{msg_id}</MsgId>"
    "<AgentID>1000002</AgentID></xml>"
)


async def test_get_echoes_the_decrypted_echostr(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, plain = wecom.verify_request()
    result = await wecom.post_callback(query, "", method="GET")
    assert (result.status, result.body) == (200, plain)


async def test_get_with_a_bad_signature_is_403(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, _ = wecom.verify_request()
    query["msg_signature"] = "0" * 40
    result = await wecom.post_callback(query, "", method="GET")
    assert result.status == 403


async def test_text_reaches_the_handler_once_and_the_answer_is_empty_200(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    result = await wecom.send_text("wang", "60% 已签约3家")
    assert (result.status, result.body) == (200, "")
    (event,) = await callback_server.recorder.wait(1)
    assert isinstance(event, TextMessage)
    assert (event.user_id, event.content) == ("wang", "60% 已签约3家")


async def test_a_file_and_a_picture_arrive_as_media(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    await wecom.send_file("wang", b"%PDF-1.4 evidence", "协议.pdf", "application/pdf")
    await wecom.send_file("wang", b"\x89PNG....", "photo.png", picture=True)
    first, second = await callback_server.recorder.wait(2)
    assert isinstance(first, MediaMessage)
    assert (first.kind, first.file_name) == ("file", "协议.pdf")
    assert wecom.media(first.media_id).data == b"%PDF-1.4 evidence"
    assert isinstance(second, MediaMessage)
    assert second.kind == "image"


async def test_replayed_callback_is_refused_and_handled_once(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="123"))
    first = await wecom.post_callback(query, body)
    again = await wecom.post_callback(query, body)
    # The same message re-signed (as WeCom's retry would be) is the same MsgId: still once.
    query2, body2 = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="123"))
    third = await wecom.post_callback(query2, body2)
    assert (first.status, again.status, third.status) == (200, 409, 409)
    await callback_server.recorder.wait(1)
    await asyncio.sleep(0)  # let any wrongly queued duplicate run
    assert len(callback_server.recorder.events) == 1


async def _refused(
    wecom: WeComEmulator, server: CallbackServer, query: dict[str, str], body: str
) -> int:
    result = await wecom.post_callback(query, body)
    await asyncio.sleep(0)
    assert server.recorder.events == []
    assert server.callback.handled == 0
    return result.status


async def test_tampered_signature_records_nothing(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="1"))
    query["msg_signature"] = query["msg_signature"][::-1]
    assert await _refused(wecom, callback_server, query, body) == 403


async def test_tampered_ciphertext_records_nothing(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="1"))
    start = body.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    end = body.index("]]></Encrypt>")
    raw = bytearray(base64.b64decode(body[start:end]))
    raw[20] ^= 1
    tampered = body[:start] + base64.b64encode(bytes(raw)).decode() + body[end:]
    assert await _refused(wecom, callback_server, query, tampered) == 403


async def test_a_message_for_another_corp_records_nothing(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    # Signed with our token and key, but sealed for another corp id (receiveid).
    other = CallbackCrypto(wecom.token, wecom.encoding_aes_key, "wwSomeOtherCorp")
    encrypted = other.encrypt(TEXT.format(corp="wwSomeOtherCorp", msg_id="9"))
    query = {"msg_signature": other.sign("1", "2", encrypted), "timestamp": "1", "nonce": "2"}
    query["timestamp"] = str(int(wecom.state.now()))
    query["msg_signature"] = other.sign(query["timestamp"], "2", encrypted)
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    assert await _refused(wecom, callback_server, query, body) == 403


@pytest.mark.parametrize(
    "body",
    [
        "not xml at all",
        "<xml><NoEncrypt/></xml>",
        '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>',
    ],
)
async def test_malformed_body_records_nothing(
    wecom: WeComEmulator, callback_server: CallbackServer, body: str
) -> None:
    query, _ = wecom.callback_request("<xml/>")
    assert await _refused(wecom, callback_server, query, body) == 400


async def test_malformed_inner_xml_records_nothing(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request("<xml><FromUserName>wang</FromUserName></xml>")
    assert await _refused(wecom, callback_server, query, body) == 400


async def test_missing_query_parameters_is_400(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    _, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="1"))
    assert await _refused(wecom, callback_server, {"timestamp": "1"}, body) == 400


async def test_a_stale_timestamp_is_refused(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    plain = TEXT.format(corp=wecom.corp_id, msg_id="5")
    query, body = wecom.callback_request(plain, timestamp=int(wecom.state.now()) - 7200)
    assert await _refused(wecom, callback_server, query, body) == 403


async def test_a_card_press_arrives_with_its_selection(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    card_xml = (
        f"<xml><ToUserName><![CDATA[{wecom.corp_id}]]></ToUserName>"
        "<FromUserName><![CDATA[wang]]></FromUserName><CreateTime>1700000001</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
        "<EventKey><![CDATA[a:12:done]]></EventKey><TaskId><![CDATA[t1]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType>"
        "<ResponseCode><![CDATA[RC1]]></ResponseCode><AgentID>1000002</AgentID>"
        "<SelectedItems><SelectedItem><QuestionKey><![CDATA[item]]></QuestionKey>"
        "<OptionIds><OptionId><![CDATA[13]]></OptionId></OptionIds></SelectedItem>"
        "</SelectedItems></xml>"
    )
    assert (await wecom.deliver(card_xml)).status == 200
    (event,) = await callback_server.recorder.wait(1)
    assert isinstance(event, CardEvent)
    assert (event.event_key, event.response_code, event.options("item")) == (
        "a:12:done",
        "RC1",
        ("13",),
    )


async def test_a_slow_handler_does_not_delay_the_answer(wecom: WeComEmulator) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(event: object) -> None:
        started.set()
        await release.wait()

    crypto = WeComCrypto(wecom.token, wecom.encoding_aes_key, wecom.corp_id)
    callback = WeComCallback(crypto, slow)
    app = web.Application()
    callback.attach(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    wecom.callback_url = f"http://127.0.0.1:{runner.addresses[0][1]}/wecom/callback"
    try:
        async with asyncio.timeout(2):
            assert (await wecom.send_text("wang", "一")).status == 200
            await started.wait()
    finally:
        release.set()
        await runner.cleanup()
    assert callback.handled == 1


async def test_a_failing_handler_does_not_stop_the_next_event(wecom: WeComEmulator) -> None:
    seen: list[str] = []

    async def flaky(event: object) -> None:
        assert isinstance(event, TextMessage)
        seen.append(event.content)
        if event.content == "boom":
            raise RuntimeError("dialogue bug")

    crypto = WeComCrypto(wecom.token, wecom.encoding_aes_key, wecom.corp_id)
    callback = WeComCallback(crypto, flaky)
    app = web.Application()
    callback.attach(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    wecom.callback_url = f"http://127.0.0.1:{runner.addresses[0][1]}/wecom/callback"
    try:
        await wecom.send_text("wang", "boom")
        await wecom.send_text("wang", "fine")
    finally:
        await runner.cleanup()  # drains the handler loop
    assert seen == ["boom", "fine"]


def test_replay_guard_forgets_after_its_ttl_and_beyond_its_size() -> None:
    now = [0.0]
    guard = ReplayGuard(size=2, ttl=10, clock=lambda: now[0])
    guard.remember("a")
    guard.remember("b")
    guard.remember("c")
    assert not guard.seen("a")
    assert guard.seen("b")
    now[0] = 11
    assert not guard.seen("b")


async def test_nothing_is_logged_of_the_key_token_or_body(
    wecom: WeComEmulator, callback_server: CallbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="1"))
    query["msg_signature"] = "f" * 40
    async with aiohttp.ClientSession() as session:
        await session.post(callback_server.url, params=query, data=body)
    text = caplog.text
    for secret in (wecom.encoding_aes_key, wecom.token, body, "f" * 40):
        assert secret not in text
    assert "refused (403)" in text


async def test_an_oversized_body_is_refused_unread(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="1"))
    padded = body.replace("<xml>", "<xml>" + "<Pad>x</Pad>" * 10_000, 1)
    assert await _refused(wecom, callback_server, query, padded) == 413


async def test_a_body_arriving_in_many_chunks_is_read_whole(
    wecom: WeComEmulator, callback_server: CallbackServer
) -> None:
    query, body = wecom.callback_request(TEXT.format(corp=wecom.corp_id, msg_id="77"))

    async def trickle() -> AsyncIterator[bytes]:
        raw = body.encode()
        for start in range(0, len(raw), 50):
            yield raw[start : start + 50]
            await asyncio.sleep(0)

    async with (
        aiohttp.ClientSession() as session,
        session.post(callback_server.url, params=query, data=trickle()) as response,
    ):
        assert response.status == 200
    assert len(await callback_server.recorder.wait(1)) == 1
