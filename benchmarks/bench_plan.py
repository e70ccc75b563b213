"""Time the plan reader: the seed (target < 20 ms) and a generated 3,000-task plan (< 1 s)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

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
        lines.append(f"（{chinese_number(number + 1)}）推进第{index + 1}项工作。加强统筹，"
                     "完善机制（消防、燃气、房屋、用电），确保落实。")
        lines.append(f"责任科室：{UNITS[index % 7]}、{UNITS[(index + 3) % 7]}")
        lines.append(f"完成时限：{DEADLINES[index % len(DEADLINES)]}")
    return "\n".join(lines)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of `run` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print median parse times for the seed and a 3,000-task plan."""
    seed = decode_text(default_plan_path().read_bytes())
    big = generated_plan(3000)
    assert len(read_text(seed).tasks) == 29
    parsed = read_text(big)
    assert len(parsed.tasks) == 3000
    assert not parsed.problems, parsed.problems[:3]
    seed_ms = median_ms(lambda: read_text(seed), 50)
    big_ms = median_ms(lambda: read_text(big), 7)
    print(f"seed plan (29 tasks):   median {seed_ms:7.2f} ms  (target < 20 ms)")
    print(f"generated 3,000 tasks:  median {big_ms:7.2f} ms  (target < 1000 ms)")


if __name__ == "__main__":
    main()
