"""The whole service on WeCom: robots, the digest, evidence files, faults that lose nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from core import binding
from emulator.wecom import WeComEmulator
from scheduler.clock import FrozenClock
from storage import outbox
from storage.progress import entries_for
from tests.bot.harness import START
from tests.dialogue.wecom_driver import WeComDriver, WeComHarness, text_of
from vocabulary import DEFAULT_TZ

NINE = datetime(2022, 6, 23, 9, 0, tzinfo=DEFAULT_TZ)
MONDAY = datetime(2022, 6, 27, 9, 0, tzinfo=DEFAULT_TZ)


@pytest.fixture
async def rig(sqlite_url: str) -> AsyncIterator[WeComHarness]:
    """Yield the service on WeCom against the stand-in."""
    async with WeComEmulator.running() as wecom:
        harness = WeComHarness(wecom, sqlite_url, FrozenClock(START))
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


def _core(rig: WeComHarness):  # type: ignore[no-untyped-def]
    assert rig.running is not None
    return rig.running.core


async def test_a_group_robot_gets_the_days_prompt_as_markdown_and_nothing_else(
    rig: WeComHarness,
) -> None:
    driver = WeComDriver(rig)
    await driver.bind("unit", "社救科")
    await driver.bind("lead", None)
    key = rig.wecom.add_robot()
    await binding.bind_robot(_core(rig), "社救", key)
    await rig.at("2022-06-23T09:00")
    await driver.next_text("unit", "【督办提醒】社救科")
    posted = rig.wecom.robot_messages(key)
    assert [m["msgtype"] for m in posted] == ["markdown"]
    assert "【督办提醒】社救科 · 6月23日（周四）" in posted[0]["markdown"]["content"]
    # An extension's outcome goes to the members, not to the group's robot.
    await driver.act_on("unit", "press", "申请延期")
    await driver.next_text("unit", "新的完成日期")
    await driver.act_on("unit", "answer", "7月15日")
    await driver.next_text("unit", "已提交延期申请")
    await driver.next_text("lead", "【延期申请】")
    await driver.act_on("lead", "press", "同意")
    await driver.next_text("unit", "局领导已同意延期")
    assert len(rig.wecom.robot_messages(key)) == 1


async def test_the_weekly_digest_is_markdown_with_its_chart(rig: WeComHarness) -> None:
    driver = WeComDriver(rig)
    await driver.bind("lead", None)
    await rig.at("2022-06-23T09:00")
    await rig.at(MONDAY.isoformat())
    digest = await driver.next_text("lead", "【督办周报】")
    assert "全局 66 项" in digest
    kinds = [m["msgtype"] for m in rig.wecom.messages("lead")]
    digest_at = max(i for i, m in enumerate(rig.wecom.messages("lead")) if "周报" in text_of(m))
    assert kinds[digest_at] == "markdown"
    assert kinds[digest_at + 1 :] == ["image", "text"]  # the chart, then its caption


async def test_a_photo_after_done_is_kept_as_evidence(rig: WeComHarness) -> None:
    driver = WeComDriver(rig)
    await driver.bind("unit", "社救科")
    await rig.at("2022-06-23T09:00")
    await driver.next_text("unit", "【督办提醒】")
    await driver.act_on("unit", "press", "已完成")
    await driver.next_text("unit", "作为佐证")
    await rig.wecom.send_file("unit", b"\x89PNG fake photo", "现场.png", "image/png", picture=True)
    try:
        await driver.next_text("unit", "已收到附件，作为 2.3 的佐证保存。")
    except TimeoutError:
        raise AssertionError([text_of(m) for m in rig.wecom.messages("unit")]) from None
    await driver.act_on("unit", "say", "历史 2.3")
    assert "附件1个" in await driver.next_text("unit", "共1条记录")
    # Downloaded with media/get and kept by the bureau; a picture message carries no file
    # name, so it is named by when it came.
    async with _core(rig).db.session(readonly=True) as session:
        [entry] = await entries_for(session, "2.3", "社救科")
    [kept] = entry.evidence
    assert (kept.file_name, kept.mime_type) == ("照片20220623-090000.jpg", "image/jpeg")
    assert kept.sha256 is not None
    assert _core(rig).evidence.read(kept.sha256) == b"\x89PNG fake photo"


async def test_a_third_of_calls_failing_delays_delivery_but_loses_nothing(
    rig: WeComHarness,
) -> None:
    driver = WeComDriver(rig)
    people = {"unit": "社救科", "other": "社区科", "mate": "社会事务科", "lead": None}
    for who, unit in people.items():
        await driver.bind(who, unit)
    rig.wecom.chaos({"45009": 0.15, "5xx": 0.1, "expired_token": 0.08}, seed=7)
    await rig.at("2022-06-24T09:00")  # every unit's monthly check-in
    when = datetime(2022, 6, 24, 9, 0, tzinfo=DEFAULT_TZ)
    for _ in range(40):
        when += timedelta(minutes=1)
        await rig.at(when.isoformat())
    rig.wecom.chaos({})
    when += timedelta(hours=1)
    await rig.at(when.isoformat())
    async with _core(rig).db.session() as session:
        failed = await outbox.failed(session)
    assert failed == []
    for who in ("unit", "other", "mate"):
        cards = [m for m in rig.wecom.messages(who) if "【督办提醒】" in text_of(m)]
        assert cards, f"{who} never got the check-in"
        # Pages of one prompt share its title; no message is there twice.
        sent = Counter(text_of(m) for m in rig.wecom.messages(who))
        assert all(n == 1 for n in sent.values()), [t for t, n in sent.items() if n > 1]


async def test_a_member_who_left_is_listed_for_the_admin_not_retried(
    rig: WeComHarness,
) -> None:
    driver = WeComDriver(rig)
    await driver.bind("unit", "社救科")
    rig.wecom.remove_member("unit")
    await rig.at("2022-06-23T09:00")
    await rig.at("2022-06-23T10:00")
    async with _core(rig).db.session() as session:
        failed = await outbox.failed(session)
    assert len(failed) == 1
    assert "81013" in str(failed[0].last_error)
    sends = [c for c in rig.wecom.calls_of("message/send") if c.errcode == 81013]
    assert len(sends) == 1


@pytest.mark.parametrize(
    "words",
    [
        "wecom robot 社区科 https://example.org/hook",
        "wecom robot 社区科 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
        "wecom robot 法规科 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234-ef",
        "wecom robot 社区科",
    ],
)
def test_a_robot_that_is_no_robot_is_refused_in_one_line(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], words: str
) -> None:
    from cli.main import main

    assert main(["--db", sqlite_url, *words.split()]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert len(err.splitlines()) == 1


async def test_the_board_and_the_callback_share_one_http_server(rig: WeComHarness) -> None:
    import aiohttp

    assert rig.running is not None
    async with aiohttp.ClientSession() as http, http.get(f"{rig.running.http_url}/") as page:
        body = await page.text()
    assert page.status in (401, 403)
    assert "看板" in body
    assert "社救科" not in body  # nothing of the plan without a login
    driver = WeComDriver(rig)
    await driver.bind("lead", None)
    await driver.act_on("lead", "say", "看板")
    link = await driver.next_text("lead", "login?t=")
    url = link.split("\n")[-1]
    async with aiohttp.ClientSession() as http, http.get(url) as opened:
        assert opened.status == 200
