"""Time the plan reader: the seed (target < 20 ms) and a generated 3,000-task plan (< 1 s).

Run: .venv/bin/python benchmarks/bench_plan.py [--quick]

Beside each parse, its floor: one compiled-regex pass over the same lines (the least any
line-by-line reader does), timed the same way.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, print_figures, time_runs
from plan_data import decode_text, default_plan_path
from plan_data.text_reader import read_text

CN = "一二三四五六七八九十"
DEADLINES = [
    "12月底",
    "持续推进",
    "6月底前完成协议签署，下半年实施服务",
    "1月印发文件，全年推动落实",
]
UNITS = ["社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办"]
LINE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|责任|完成)"
)


def chinese_number(n: int) -> str:
    """Return 1..99 in Chinese numerals."""
    tens, ones = divmod(n, 10)
    head = (CN[tens - 1] if tens > 1 else "") + ("十" if tens else "")
    return head + (CN[ones - 1] if ones else "")


def generated_plan(tasks: int, per_chapter: int = 30) -> str:
    """Return a plan text in the seed's style with this many tasks."""
    lines = ["2022年是重要的一年。"]
    for index in range(tasks):
        chapter, number = divmod(index, per_chapter)
        if number == 0:
            lines.append(f"{chinese_number(chapter % 99 + 1)}、第{chapter + 1}章工作")
        lines.append(
            f"（{chinese_number(number + 1)}）推进第{index + 1}项工作。加强统筹，"
            "完善机制（消防、燃气、房屋、用电），确保落实。"
        )
        lines.append(f"责任科室：{UNITS[index % 7]}、{UNITS[(index + 3) % 7]}")
        lines.append(f"完成时限：{DEADLINES[index % len(DEADLINES)]}")
    return "\n".join(lines)


def regex_pass(text: str) -> int:
    """Match every line against one compiled pattern (the floor for a line reader)."""
    return sum(1 for line in text.splitlines() if LINE.match(line))


def measure(quick: bool) -> list[Figure]:
    """Return the seed's and the 3,000-task plan's parse times, each beside its regex pass."""
    seed = decode_text(default_plan_path().read_bytes())
    big = generated_plan(3000)
    assert len(read_text(seed).tasks) == 29
    parsed = read_text(big)
    assert len(parsed.tasks) == 3000
    assert not parsed.problems, parsed.problems[:3]
    figures = []
    for name, text, target, repeat in (
        ("parse the seed plan (29 tasks)", seed, 20.0, 15 if quick else 50),
        ("parse a generated 3,000-task plan", big, 1000.0, 3 if quick else 7),
    ):
        took = time_runs(lambda text=text: read_text(text), repeat)  # type: ignore[misc]
        floor = time_runs(lambda text=text: regex_pass(text), repeat)  # type: ignore[misc]
        figures.append(Figure.in_ms(name, took, target, "one regex pass over its lines", floor))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    print_figures(measure(parser.parse_args().quick))
