"""The REST client against the stand-in: token caching and refresh, errcodes, faults, media."""

from __future__ import annotations

import pytest

from bot.wecom.api import WeComApi, WeComConfigError, WeComTryLater, WeComUndeliverable
from core.channel import TryLater, Undeliverable
from emulator.wecom import WeComEmulator


async def test_token_is_fetched_once_and_cached(wecom: WeComEmulator, api: WeComApi) -> None:
    await api.send_text("wang", "一")
    await api.send_text("wang", "二")
    assert len(wecom.calls_of("gettoken")) == 1
    assert [m["text"]["content"] for m in wecom.messages("wang")] == ["一", "二"]


async def test_token_is_refetched_when_its_lifetime_runs_out(wecom: WeComEmulator) -> None:
    now = [1000.0]
    async with WeComApi(
        wecom.corp_id,
        wecom.secret,
        wecom.agent_id,
        base_url=wecom.base_url,
        clock=lambda: now[0],
    ) as client:
        await client.access_token()
        now[0] += 7200 - 300 - 1
        await client.access_token()
        assert client.token_fetches == 1
        now[0] += 2
        await client.access_token()
        assert client.token_fetches == 2


async def test_expired_token_is_refreshed_and_the_call_retried_once(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    await api.send_text("wang", "一")
    wecom.expire_tokens()
    await api.send_text("wang", "二")
    sends = wecom.calls_of("message/send")
    assert [call.errcode for call in sends] == [0, 42001, 0]
    assert api.token_fetches == 2


async def test_injected_expired_token_fault_is_refreshed(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    wecom.fail("expired_token", path="message/send")
    await api.send_text("wang", "一")
    assert [c.errcode for c in wecom.calls_of("message/send")] == [42001, 0]


async def test_a_token_refused_twice_is_try_later_not_a_loop(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    wecom.fail("expired_token", times=5, path="message/send")
    with pytest.raises(WeComTryLater) as caught:
        await api.send_text("wang", "一")
    assert caught.value.errcode == 42001
    assert len(wecom.calls_of("message/send")) == 2


async def test_rate_limit_45009_is_try_later_with_a_wait(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    wecom.fail("45009", path="message/send")
    with pytest.raises(TryLater) as caught:
        await api.send_text("wang", "一")
    assert caught.value.after is not None
    assert caught.value.after.total_seconds() == 60


async def test_thirty_messages_a_minute_to_one_member_then_45009(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    for n in range(30):
        await api.send_text("wang", f"第{n}条")
    with pytest.raises(WeComTryLater) as caught:
        await api.send_text("wang", "第31条")
    assert caught.value.errcode == 45009
    await api.send_text("li", "另一位成员不受影响")


async def test_unknown_member_81013_is_undeliverable_with_a_clear_message(
    api: WeComApi,
) -> None:
    with pytest.raises(Undeliverable) as caught:
        await api.send_text("nobody", "一")
    assert isinstance(caught.value, WeComUndeliverable)
    assert caught.value.errcode == 81013
    assert "81013" in str(caught.value)
    assert "可见范围" in str(caught.value)


async def test_server_error_is_try_later(wecom: WeComEmulator, api: WeComApi) -> None:
    wecom.fail("5xx", path="message/send")
    with pytest.raises(WeComTryLater, match="HTTP 502"):
        await api.send_text("wang", "一")


async def test_a_hang_is_try_later_through_the_client_timeout(wecom: WeComEmulator) -> None:
    wecom.set_hang(30)
    wecom.fail("hang", path="message/send")
    async with WeComApi(
        wecom.corp_id, wecom.secret, wecom.agent_id, base_url=wecom.base_url, timeout=0.3
    ) as client:
        await client.access_token()
        with pytest.raises(WeComTryLater, match="超时"):
            await client.send_text("wang", "一")


async def test_a_wrong_secret_is_a_config_error_that_never_shows_the_secret(
    wecom: WeComEmulator,
) -> None:
    secret = "wrong-secret-value-123"  # noqa: S105 - a deliberately wrong test value
    async with WeComApi(wecom.corp_id, secret, wecom.agent_id, base_url=wecom.base_url) as client:
        with pytest.raises(WeComConfigError) as caught:
            await client.send_text("wang", "一")
    assert caught.value.errcode == 40001
    assert secret not in str(caught.value)
    assert secret not in repr(client)


async def test_errors_never_carry_the_token(wecom: WeComEmulator, api: WeComApi) -> None:
    token = await api.access_token()
    for kind in ("5xx", "45009"):
        wecom.fail(kind, path="message/send")  # type: ignore[arg-type]
        with pytest.raises(TryLater) as caught:
            await api.send_text("wang", "一")
        assert token not in str(caught.value)
    assert all("access_token" not in call.params for call in wecom.calls)


async def test_upload_then_send_image_and_file(wecom: WeComEmulator, api: WeComApi) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    media_id = await api.upload_media("image", png, "chart.png", "image/png")
    await api.send_image("li", media_id)
    xlsx = await api.upload_media(
        "file", b"PK\x03\x04" + b"x" * 100, "督办台账.xlsx", "application/zip"
    )
    await api.send_file("li", xlsx)
    assert wecom.media(media_id).data == png
    assert wecom.media(xlsx).filename == "督办台账.xlsx"
    assert [m["msgtype"] for m in wecom.messages("li")] == ["image", "file"]


async def test_upload_is_retried_with_a_fresh_form_after_a_token_refresh(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    wecom.fail("expired_token", path="media/upload")
    media_id = await api.upload_media("file", b"0123456789", "a.txt", "text/plain")
    assert wecom.media(media_id).data == b"0123456789"


async def test_get_media_downloads_a_members_file(wecom: WeComEmulator, api: WeComApi) -> None:
    upload = await api.upload_media("file", b"evidence-bytes", "合同.pdf", "application/pdf")
    found = await api.get_media(upload)
    assert found.data == b"evidence-bytes"
    assert found.content_type == "application/pdf"


async def test_get_media_of_an_unknown_id_is_undeliverable(api: WeComApi) -> None:
    with pytest.raises(WeComUndeliverable) as caught:
        await api.get_media("MEDIA-nope")
    assert caught.value.errcode == 40007


async def test_robot_markdown_paced_at_twenty_a_minute(
    wecom: WeComEmulator, api: WeComApi
) -> None:
    key = wecom.add_robot()
    for n in range(20):
        await api.robot_markdown(key, f"**第{n}条**")
    with pytest.raises(WeComTryLater) as caught:
        await api.robot_markdown(key, "第21条")
    assert caught.value.errcode == 45009
    assert len(wecom.robot_messages(key)) == 20


async def test_robot_image_and_unknown_robot(wecom: WeComEmulator, api: WeComApi) -> None:
    key = wecom.add_robot()
    await api.robot_image(key, b"\x89PNG" + b"1" * 40)
    assert wecom.robot_messages(key)[0]["msgtype"] == "image"
    with pytest.raises(WeComUndeliverable) as caught:
        await api.robot_markdown("unknown-key", "hi")
    assert caught.value.errcode == 93000
    assert "unknown-key" not in str(caught.value)
