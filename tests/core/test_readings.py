"""What a report says beyond its status (core.readings), as tables: no database."""

from __future__ import annotations

from datetime import date

import pytest

from core.readings import read_day, read_event, read_readings
from plan_data.model import Target
from storage.records import TargetRecord

CANTEENS = (TargetRecord(11, 1, 0, Target(5, "家", "老人家食堂", "建设一级老人家食堂5家")),)
CENTRES = (
    TargetRecord(21, 2, 0, Target(4, "个", "老年日照中心", "新建老年日照中心4个")),
    TargetRecord(22, 2, 1, Target(150, "张", "养老床位", "新增养老床位150张")),
)
TODAY = date(2022, 7, 4)


@pytest.mark.parametrize(
    ("note", "percent", "targets", "found"),
    [
        ("已建成3家", None, CANTEENS, [(11, 3, 0.6)]),
        ("新增床位60张", None, CENTRES, [(22, 60, 0.4)]),
        ("日照中心建成2个，新增床位60张", None, CENTRES, [(21, 2, 0.5), (22, 60, 0.4)]),
        ("已建成三家", None, CANTEENS, [(11, 3, 0.6)]),
        (None, 60, CANTEENS, [(11, 3, 0.6)]),  # `60% …` split off the note by the door
        ("选址已确定", 60, CENTRES, [(None, 60, 0.6)]),  # a share of the whole task
        ("已签约3家", None, (), []),  # no target to count against
        (None, 30, (), [(None, 30, 0.3)]),
        ("日照中心选址未定，需协调街道", None, CENTRES, []),
    ],
)
def test_progress_read_against_the_tasks_targets(
    note: str | None,
    percent: int | None,
    targets: tuple[TargetRecord, ...],
    found: list[tuple[int | None, float, float]],
) -> None:
    readings = read_readings(note, percent, targets)
    assert [(r.target_id, r.value, r.share) for r in readings] == found


@pytest.mark.parametrize(
    ("note", "events", "found"),
    [
        ("已印发 3月5日", ["《实施方案》印发"], (0, date(2022, 3, 5))),
        ("《实施方案》3月5日印发", ["《实施方案》印发"], (0, date(2022, 3, 5))),
        ("项目已批复", ["项目批复"], (0, TODAY)),
        ("批复 2022-06-30", ["批复"], (0, date(2022, 6, 30))),
        ("场地昨天已移交", ["协议签订", "场地移交"], (1, date(2022, 7, 3))),
        ("规划尚未批复", ["批复"], None),
        ("正在起草，待批复", ["批复"], None),
        ("批复工作推进中", ["批复"], None),  # neither a date nor 已/了: not reported as done
        ("已完成培训", ["批复"], None),
    ],
)
def test_an_event_reported_in_a_note(
    note: str, events: list[str], found: tuple[int, date] | None
) -> None:
    assert read_event(note, events, TODAY) == found


def test_a_day_without_a_year_is_this_years_unless_that_is_most_of_a_year_ahead() -> None:
    assert read_day("12月28日印发", date(2023, 1, 3)) == date(2022, 12, 28)
    assert read_day("7月10日印发", TODAY) == date(2022, 7, 10)  # ahead: the caller refuses
    assert read_day("今天印发", TODAY) == TODAY
    assert read_day("已印发，7月20日前完成备案", TODAY, near=1) == date(2022, 7, 20)
