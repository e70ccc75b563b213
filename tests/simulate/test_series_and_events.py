"""`duban simulate` on a plan with a monthly deadline and one that waits for its event.

fixtures/monthly-and-event-2022.txt: 1.1 社救科 每月28日前 (one milestone per month, each due
on the 28th); 1.2 社会事务科 批复之日起20个工作日内. fixtures/monthly-and-event-answers.txt:
1.1 reports January, February (on time), March (late, on 4月6日) and April; 1.2's 批复 of
3月4日 is reported on 3月7日, which gives 4月1日 (the 20th workday after it), and 1.2 is never
reported done.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cli.main import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAN = FIXTURES / "monthly-and-event-2022.txt"
ANSWERS = FIXTURES / "monthly-and-event-answers.txt"

Item = tuple[date, str, str, date | None, str | None]  # (day, task, kind, due, action)


@pytest.fixture(scope="module")
def items() -> list[Item]:
    """Return every prompt item pushed to a unit from 1月1日 to 5月31日, in order."""
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        status = main([
            "simulate", "--plan", str(PLAN), "--answers", str(ANSWERS),
            "--from", "2022-01-01", "--to", "2022-05-31", "--json",
        ])  # fmt: skip
    assert status == 0
    found: list[Item] = []
    for line in out.getvalue().splitlines():
        message = json.loads(line)
        if message["kind"] != "prompt":
            continue
        for item in message["items"]:
            due = date.fromisoformat(item["due"]) if item["due"] else None
            day = date.fromisoformat(message["at"][:10])
            found.append((day, item["task"], item["kind"], due, item["action"]))
    return found


def test_each_month_is_its_own_deadline_reminded_within_its_month(items: list[Item]) -> None:
    monthly = [i for i in items if i[1] == "1.1" and i[2] == "reminder"]
    for month in range(1, 6):
        due = date(2022, month, 28)
        mine = [i for i in monthly if i[3] == due]
        assert mine, f"no reminder for {due}"
        assert {i[4] for i in mine} == {f"{month}月"}
        # Lead days fitted to the 30-day interval: D-14 first (moved back to a workday), never
        # D-30, which would fall before the previous month's occurrence is due.
        assert all(day > date(2022, month - 1, 28) for day, *_ in mine if month > 1)
        assert all((due - day).days <= 16 for day, *_ in mine)
    assert [i[0] for i in monthly if i[3] == date(2022, 1, 28)] == [
        date(2022, 1, 14), date(2022, 1, 21), date(2022, 1, 25), date(2022, 1, 27),
    ]  # fmt: skip


def test_each_occurrence_is_answered_on_its_own(items: list[Item]) -> None:
    overdue = [(i[0], i[3]) for i in items if i[1] == "1.1" and i[2] == "overdue"]
    # January and February were done on time; March was overdue until its report on 4月6日,
    # and that report closed March only: April's reminders went on as before.
    assert {due for _, due in overdue} == {date(2022, 3, 28), date(2022, 5, 28)}
    assert max(day for day, due in overdue if due == date(2022, 3, 28)) < date(2022, 4, 6)
    assert any(i[1] == "1.1" and i[3] == date(2022, 4, 28) and i[0] > date(2022, 4, 6)
               for i in items)  # fmt: skip


def test_an_event_milestone_gets_only_check_ins_until_its_event_then_counts_to_its_due(
    items: list[Item],
) -> None:
    event = [(i[0], i[2], i[3]) for i in items if i[1] == "1.2"]
    before = [e for e in event if e[0] < date(2022, 3, 7)]
    after = [e for e in event if e[0] >= date(2022, 3, 7)]
    assert before == [
        (date(2022, 1, 25), "checkin", None),
        (date(2022, 2, 25), "checkin", None),
    ]
    # 批复 on 3月4日: due 4月1日; reminders D-14, D-7, D-3, D-1, D (none before the event),
    # then overdue from the next workday (4月2日, a 调休 Saturday) every third workday.
    reminders = [(day, due) for day, kind, due in after if kind == "reminder"]
    assert reminders == [
        (date(2022, 3, 18), date(2022, 4, 1)),
        (date(2022, 3, 25), date(2022, 4, 1)),
        (date(2022, 3, 29), date(2022, 4, 1)),
        (date(2022, 3, 31), date(2022, 4, 1)),
        (date(2022, 4, 1), date(2022, 4, 1)),
    ]
    overdue = [day for day, kind, _ in after if kind == "overdue"]
    assert overdue[:2] == [date(2022, 4, 2), date(2022, 4, 8)]
    assert all(kind != "checkin" for _, kind, _ in after)


def test_the_waiting_check_in_says_how_to_report_the_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([
        "simulate", "--plan", str(PLAN), "--from", "2022-01-25", "--to", "2022-01-25",
    ]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "1.2 落实《养老服务设施布局专项规划》\n   节点：待触发（批复后起算" in out
    assert "如“批复 3月5日”" in out
