"""Quantitative targets read from task text, and progress in reports against them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_data import default_plan_path, load_plan
from plan_data.model import Progress, Target
from plan_data.targets import read_progress, read_targets


def count(value: float, unit: str, what: str, text: str) -> Target:
    return Target(value, unit, what, text, "count")


TARGETS: list[tuple[str, list[Target]]] = [
    ("新建养老服务驿站5家", [count(5, "家", "养老服务驿站", "新建养老服务驿站5家")]),
    ("新建老年日照中心4个，新增养老床位150张。",
     [count(4, "个", "老年日照中心", "新建老年日照中心4个"),
      count(150, "张", "养老床位", "新增养老床位150张")]),
    ("在新立、金钟等街道建设一级老人家食堂5家，就近提供助餐服务",
     [count(5, "家", "老人家食堂", "建设一级老人家食堂5家")]),
    ("新建5家养老服务驿站并投入使用", [count(5, "家", "养老服务驿站", "新建5家养老服务驿站")]),
    ("培训社区工作者2000人次以上",
     [count(2000, "人次", "社区工作者", "培训社区工作者2000人次以上")]),
    ("组织开展培训2000人次", [count(2000, "人次", "培训", "组织开展培训2000人次")]),
    ("开展4次专项检查", [count(4, "次", "专项检查", "开展4次专项检查")]),
    ("养老床位不少于150张", [count(150, "张", "养老床位", "养老床位不少于150张")]),
    ("累计服务1.2万人次", [count(12000, "人次", "累计服务", "累计服务1.2万人次")]),
    ("发放救助金300万元", [count(300, "万元", "救助金", "发放救助金300万元")]),
    ("新增３Ａ级社会组织５家，", [count(5, "家", "３Ａ级社会组织", "新增３Ａ级社会组织５家")]),
    ("新建救助管理站2个", [count(2, "个", "救助管理站", "新建救助管理站2个")]),
    ("确保低保审批准确率不低于90%",
     [Target(90, "%", "低保审批准确率", "确保低保审批准确率不低于90%", "share")]),
    ("社区服务站覆盖率达到95%以上",
     [Target(95, "%", "社区服务站覆盖率", "社区服务站覆盖率达到95%以上", "share")]),
    ("困难群众救助率达到９５％以上",
     [Target(95, "%", "困难群众救助率", "困难群众救助率达到９５％以上", "share")]),
    ("推进年度内实现街道社工站全覆盖工作任务",
     [Target(100, "%", "街道社工站", "实现街道社工站全覆盖", "whole")]),
    ("建设社区食堂，实现全覆盖", [Target(100, "%", "社区食堂", "实现全覆盖", "whole")]),
    ("实现村（社区）服务站100%覆盖",
     [Target(100, "%", "村（社区）服务站", "实现村（社区）服务站100%覆盖", "whole")]),
]


@pytest.mark.parametrize(("text", "expected"), TARGETS, ids=[t for t, _ in TARGETS])
def test_targets_with_their_measure_and_what_they_count(text: str, expected: list[Target]) -> None:
    assert list(read_targets(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "当好捍卫“两个确立”、践行“两个维护”的表率",  # slogans in Chinese numerals
        "深化“5+1+N”寻亲法",
        "每户每月补贴500元",  # a rate
        "每季度开展1次检查",  # a frequency
        "用3个月时间完成整治",  # a span of time
        "印发之日起20个工作日内完成",
        "做好2022年社工站建设工作调研",
        "排在第3个",
        "为60岁以上老年人提供服务",
        "实现助餐量比去年翻一番",
    ],
)
def test_numbers_that_are_not_targets(text: str) -> None:
    assert read_targets(text) == ()


def test_seed_targets_are_the_canteens_the_day_centres_and_the_beds() -> None:
    seed = load_plan(default_plan_path())
    found = {t.id: [(g.what, g.value, g.unit) for g in t.targets] for t in seed.tasks if t.targets}
    assert found["3.1"] == [("老人家食堂", 5, "家")]
    assert found["3.2"] == [("老年日照中心", 4, "个"), ("养老床位", 150, "张")]
    # 推进年度内实现街道社工站全覆盖: the only other target of the seed, a whole.
    assert found == {
        "3.1": found["3.1"], "3.2": found["3.2"], "5.2": [("街道社工站", 100, "%")],
    }


BEDS_AND_CENTRES = read_targets("新建老年日照中心4个，新增养老床位150张")
(CENTRES, BEDS) = BEDS_AND_CENTRES
(STATIONS,) = read_targets("新建养老服务驿站5家")
(SHARE,) = read_targets("确保低保审批准确率不低于90%")


@pytest.mark.parametrize(
    ("report", "targets", "expected"),
    [
        ("已签约3家", (STATIONS,), Progress(STATIONS, 3, 0.6, "3家")),
        ("完成60张", BEDS_AND_CENTRES, Progress(BEDS, 60, 0.4, "60张")),
        ("日照中心已建成两个", BEDS_AND_CENTRES, Progress(CENTRES, 2, 0.5, "两个")),
        ("床位已完成一百二十张", BEDS_AND_CENTRES, Progress(BEDS, 120, 0.8, "一百二十张")),
        ("60%", (STATIONS,), Progress(STATIONS, 3, 0.6, "60%")),
        ("完成６０％", BEDS_AND_CENTRES, Progress(None, 60, 0.6, "60%")),
        ("准确率已达81%", (SHARE,), Progress(SHARE, 81, 0.9, "81%")),
    ],
    ids=["count", "by-unit", "chinese-numeral", "hundreds", "percent-of-one", "percent-of-all",
         "share"],
)
def test_progress_in_a_report_against_the_tasks_targets(
    report: str, targets: tuple[Target, ...], expected: Progress
) -> None:
    assert read_progress(report, targets) == expected


@pytest.mark.parametrize(
    ("report", "targets"),
    [
        ("正在推进", BEDS_AND_CENTRES),
        ("已签约3家", BEDS_AND_CENTRES),  # no target counts 家
        ("完成3个", ()),
    ],
)
def test_a_report_without_progress_against_a_target(
    report: str, targets: tuple[Target, ...]
) -> None:
    assert read_progress(report, targets) is None


TARGET_ALPHABET = st.sampled_from(
    list("0123456789５.%％家个张人次万元每第新建设增培训养老床位覆盖率不低于全，。、（）月日 ")
)


@settings(max_examples=300, deadline=None)
@given(st.text(TARGET_ALPHABET, max_size=40) | st.text(max_size=40))
def test_read_targets_never_crashes_and_quotes_the_text(text: str) -> None:
    for target in read_targets(text):
        assert target.text in text
        assert target.what in text
        assert target.kind in ("count", "share", "whole")
        assert read_progress(text, (target,)) is None or read_progress(text, (target,))
