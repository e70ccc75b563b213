"""The reader never crashes and never loses a task marker, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plan_data.lines import clean, marker
from plan_data.owners import split_units
from plan_data.text_reader import read_text

MARKERS = ["一、", "二、", "（一）", "（2）", "(3)", "1.", "2、", "  （四）", "十、", ""]
WORDS = ["加强", "推进", "。", "，", "（消防、燃气）", "责任科室：", "社区科", "各科室、单位",
         "完成时限：", "6月底前", "持续推进", "牵头单位：", "；", "2022年", " ", "\u3000", "等"]

line = st.builds(
    lambda m, ws: m + "".join(ws),
    st.sampled_from(MARKERS),
    st.lists(st.sampled_from(WORDS), max_size=8),
)
noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(line, noise), max_size=25), st.sampled_from(["\n", "\r\n", "\r"]))
def test_reader_never_crashes_nor_loses_a_task_marker(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    plan = read_text(text, 2022)
    kept = (
        {task.line for task in plan.tasks}
        | {line for task in plan.tasks for line in task.part_lines}
        | {problem.line for problem in plan.problems}
        | {heading.line for heading in plan.headings}
    )
    numbered = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(numbered, start=1):
        found = marker(clean(raw))
        if found is not None:
            assert number in kept, (number, raw)
    assert len({task.id for task in plan.tasks}) == len(plan.tasks)


unit_name = st.builds(
    lambda base, bracket: base + bracket,
    st.text(alphabet="社救区务科站办局委市县", min_size=1, max_size=6),
    st.sampled_from(["", "（市、区）", "(镇,街)"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(unit_name, min_size=1, max_size=6), st.sampled_from(["、", "，", ",", "；", ";"]))
def test_unit_lists_split_on_any_separator_without_losing_names(
    names: list[str], separator: str
) -> None:
    found = [name for name, _ in split_units(separator.join(names))]
    assert "".join(found) == "".join(names)
