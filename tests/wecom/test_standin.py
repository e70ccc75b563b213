"""The WeCom stand-in's own rules: token expiry, ResponseCode life, card limits, waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.wecom.api import WeComApi, WeComTryLater, WeComUndeliverable
from bot.wecom.crypto import WeComCrypto
from bot.wecom.events import CardEvent, parse_event
from emulator.wecom import ControlError, WeComEmulator
from emulator.wecom.crypto import CallbackCrypto


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def timed(clock: Clock) -> AsyncIterator[tuple[WeComEmulator, WeComApi]]:
    async with WeComEmulator.running(clock=clock) as emulator:
        emulator.add_member("wang")
        async with WeComApi(
            emulator.corp_id, emulator.secret, emulator.agent_id, base_url=emulator.base_url
        ) as client:
            yield emulator, client


def card(task_id: str = "t-1", **extra: Any) -> dict[str, Any]:
    body = {
        "card_type": "button_interaction",
        "task_id": task_id,
        "main_title": {"title": "【督办提醒】"},
        "button_list": [{"text": "同意", "key": "x:1:yes"}],
    }
    body.update(extra)
    return body


async def test_the_token_expires_after_7200_seconds_with_42001(
    timed: tuple[WeComEmulator, WeComApi], clock: Clock
) -> None:
    emulator, client = timed
    await client.send_text("wang", "一")
    clock.now += 7201  # the client's own (monotonic) clock still trusts its token
    await client.send_text("wang", "二")
    assert [c.errcode for c in emulator.calls_of("message/send")] == [0, 42001, 0]
    assert len(emulator.calls_of("gettoken")) == 2


async def test_a_response_code_is_single_use(timed: tuple[WeComEmulator, WeComApi]) -> None:
    emulator, client = timed
    sent = await client.send_template_card("wang", card())
    assert sent.response_code
    await client.update_template_card("wang", sent.response_code, replace_name="已处理")
    with pytest.raises(WeComUndeliverable, match="40058"):
        await client.update_template_card("wang", sent.response_code, replace_name="再次")
    assert emulator.messages("wang")[0]["buttons_disabled"] == "已处理"


async def test_a_response_code_expires_after_72_hours(
    timed: tuple[WeComEmulator, WeComApi], clock: Clock
) -> None:
    emulator, client = timed
    sent = await client.send_template_card("wang", card())
    assert sent.response_code
    clock.now += 72 * 3600 + 1
    with pytest.raises(WeComUndeliverable):
        await client.update_template_card("wang", sent.response_code, replace_name="晚了")
    assert emulator.calls_of("message/update_template_card")[-1].errcode == 40058


@pytest.mark.parametrize(
    "bad",
    [
        card(task_id="有中文"),
        card(task_id="x" * 129),
        card(main_title={"title": "长" * 37}),
        card(sub_title_text="长" * 161),
        card(button_list=[{"text": f"b{n}", "key": f"k{n}"} for n in range(7)]),
        card(button_list=[{"text": "一二三四五六七八九十一", "key": "k"}]),
        card(
            button_selection={
                "question_key": "item",
                "option_list": [{"id": str(n), "text": "x"} for n in range(11)],
            }
        ),
    ],
)
async def test_card_limits_are_refused_rather_than_cut(
    timed: tuple[WeComEmulator, WeComApi], bad: dict[str, Any]
) -> None:
    _, client = timed
    with pytest.raises(WeComUndeliverable, match="40058"):
        await client.send_template_card("wang", bad)


async def test_a_task_id_is_unique_per_app(timed: tuple[WeComEmulator, WeComApi]) -> None:
    _, client = timed
    await client.send_template_card("wang", card("same"))
    with pytest.raises(WeComUndeliverable):
        await client.send_template_card("wang", card("same"))


async def test_text_over_2048_bytes_is_refused(timed: tuple[WeComEmulator, WeComApi]) -> None:
    _, client = timed
    with pytest.raises(WeComUndeliverable, match="45002"):
        await client.send_text("wang", "督" * 683)


async def test_wait_for_message_wakes_on_the_send(timed: tuple[WeComEmulator, WeComApi]) -> None:
    emulator, client = timed

    async def later() -> None:
        await asyncio.sleep(0)
        await client.send_text("wang", "到了")

    waiting = asyncio.ensure_future(emulator.wait_for_message("wang", timeout=5))
    await later()
    assert (await waiting)["text"]["content"] == "到了"
    with pytest.raises(TimeoutError, match="wang"):
        await emulator.wait_for_message("wang", after=1, timeout=0.05)


async def test_press_builds_the_event_wecom_would_send(
    timed: tuple[WeComEmulator, WeComApi],
) -> None:
    emulator, client = timed
    captured: list[str] = []
    crypto = WeComCrypto(emulator.token, emulator.encoding_aes_key, emulator.corp_id)

    async def fake_post(query: dict[str, str], body: str, *, method: str = "POST") -> Any:
        from bot.wecom.events import parse_envelope

        encrypted = parse_envelope(body.encode()).encrypt
        crypto.verify_signature(
            query["msg_signature"], query["timestamp"], query["nonce"], encrypted
        )
        captured.append(crypto.decrypt(encrypted))
        return None

    emulator.post_callback = fake_post  # type: ignore[method-assign]
    selection = {
        "question_key": "item",
        "option_list": [{"id": "12", "text": "2.3 创新"}, {"id": "13", "text": "2.4 加强"}],
    }
    await client.send_template_card("wang", card(button_selection=selection))
    await emulator.press("wang", emulator.messages("wang")[0], "同意", item="2.4")
    event = parse_event(captured[0])
    assert isinstance(event, CardEvent)
    assert (event.event_key, event.options("item"), event.task_id) == ("x:1:yes", ("13",), "t-1")
    with pytest.raises(ControlError, match="no button"):
        await emulator.press("wang", emulator.messages("wang")[0], "不同意")


def test_the_stand_ins_crypto_is_independent_and_agrees_with_the_bots() -> None:
    theirs = CallbackCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wwcorp")
    ours = WeComCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wwcorp")
    encrypted = theirs.encrypt("<xml>你好</xml>")
    assert ours.decrypt(encrypted) == "<xml>你好</xml>"
    assert theirs.decrypt(ours.encrypt("x")) == ("x", "wwcorp")
    assert theirs.sign("1", "2", encrypted) == ours.signature("1", "2", encrypted)


async def test_a_hang_is_released_when_the_stand_in_stops() -> None:
    async with WeComEmulator.running() as emulator:
        emulator.add_member("wang")
        emulator.fail("hang", path="message/send")
        client = WeComApi(
            emulator.corp_id,
            emulator.secret,
            emulator.agent_id,
            base_url=emulator.base_url,
            timeout=0.2,
        )
        async with client:
            with pytest.raises(WeComTryLater):
                await client.send_text("wang", "一")
    # Leaving the block did not wait for the 60-second hang.
