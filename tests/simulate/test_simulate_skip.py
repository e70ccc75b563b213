"""Simulate skips days with nothing due: its output equals a run that reconciles every day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from plan_data import default_plan_path
from scheduler.settings import load_settings
from simulate.answers import parse_answers
from simulate.engine import simulate

# A done, an extension approved on a Saturday, a blocked report on a holiday (端午, 3 June)
# and a rejected request: each must act on the same days as when every day is reconciled.
ANSWERS = """
2022-06-10 2.4 社救科 done
2022-06-24 2.3 社救科 extension 2022-08-15 需要更多时间
2022-06-25 approve 2.3 社救科
2022-06-03 2.5 社区科 blocked 需协调街道
2022-09-05 2.3 社救科 extension 2022-12-20
2022-09-06 reject 2.3 社救科
"""


async def test_skipping_quiet_days_changes_no_message(tmp_path: Path) -> None:
    settings = load_settings()
    answers = parse_answers(ANSWERS)
    span = (date(2022, 5, 1), date(2022, 10, 31))
    skipping = await simulate(default_plan_path(), *span, settings, answers)
    every_day = await simulate(
        default_plan_path(), *span, settings, answers, db_url=f"sqlite:///{tmp_path / 's.db'}"
    )
    assert [m.to_json() for m in skipping] == [m.to_json() for m in every_day]
    assert any(m.kind == "alert" for m in skipping)
