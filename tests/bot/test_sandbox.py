"""`duban sandbox` without a terminal plays its short script and exits 0."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest

from plan_data import default_plan_path
from scheduler.clock import OffsetClock, parse_clock
from service.sandbox import run_sandbox
from service.sandbox_wecom import run_wecom_sandbox


@pytest.mark.slow
async def test_the_scripted_sandbox_shows_a_prompt_an_answer_and_the_status() -> None:
    out = io.StringIO()
    status = await run_sandbox(
        unit="社救科",
        clock=OffsetClock(parse_clock("2022-06-23T08:59:59+08:00")),
        database_url=None,
        plan_path=default_plan_path(),
        tz=ZoneInfo("Asia/Shanghai"),
        interactive=False,
        out=out,
    )
    shown = out.getvalue()
    assert status == 0
    steps = [
        "已绑定：社救科",
        "【督办提醒】社救科 · 6月23日（周四）",
        "[2] 🔄 进行中",
        "直接回复本消息即可",
        "2.3 🔄 进行中 · 6月23日 王科长已更新",
        "> /status",
        '进行中 60% "已完成阶段性工作，下周报送材料"（6月23日）',
    ]
    positions = [shown.index(step) for step in steps]
    assert positions == sorted(positions)


@pytest.mark.slow
async def test_the_scripted_sandbox_plays_the_same_demo_on_wecom() -> None:
    out = io.StringIO()
    status = await run_wecom_sandbox(
        unit="社救科",
        clock=OffsetClock(parse_clock("2022-06-23T08:59:59+08:00")),
        database_url=None,
        plan_path=default_plan_path(),
        tz=ZoneInfo("Asia/Shanghai"),
        interactive=False,
        out=out,
    )
    shown = out.getvalue()
    assert status == 0
    steps = [
        "已绑定：社救科",
        "【督办提醒】社救科 · 6月23日（周四）",
        "🔄 进行中",
        "直接回复本消息即可",
        "卡片已更新",
        "2.3 🔄 进行中 · 6月23日 王科长已更新",
        "> 状态",
        '进行中 60% "已完成阶段性工作，下周报送材料"（6月23日）',
    ]
    positions = [shown.index(step) for step in steps]
    assert positions == sorted(positions)
