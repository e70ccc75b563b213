"""A pause in `duban simulate`: the unit hears nothing for its period and not a day longer."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from plan_data import default_plan_path
from scheduler.settings import load_settings
from simulate.answers import parse_answers
from simulate.engine import simulate
from storage.database import Database
from storage.status_queries import status_rows
from vocabulary import DEFAULT_TZ

SPAN = ["--from", "2022-06-20", "--to", "2022-07-22", "--json"]
# 2.3 社救科 is due 30 June (a Thursday); 社救科 is paused Monday 27 June to Friday 8 July.
PAUSE = "2022-06-27 pause 社救科 2022-07-08 防汛抢险\n"
FIRST, LAST, BACK = "2022-06-27", "2022-07-08", "2022-07-11"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["simulate", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def _to(found: list[dict[str, Any]], unit: str) -> list[tuple[str, str]]:
    return [(m["at"][:10], m["kind"]) for m in found if m["to"] == unit]


def _items(found: list[dict[str, Any]], kind: str, task: str) -> list[tuple[str, Any, Any]]:
    return [
        (m["at"][:10], i["kind"], i["due"])
        for m in found
        if m["kind"] == kind
        for i in m["items"]
        if i["task"] == task and i["unit"] == "社救科"
    ]


def test_a_pause_silences_a_unit_for_its_period_and_not_a_day_longer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = _run(capsys, *SPAN)
    answers = tmp_path / "answers.txt"
    answers.write_text(PAUSE, encoding="utf-8")
    paused = _run(capsys, *SPAN, "--answers", str(answers))

    heard = _to(paused, "社救科")
    assert not [day for day, _ in heard if FIRST <= day <= LAST]
    assert [day for day, _ in _to(plain, "社救科") if FIRST <= day <= LAST]  # it would have
    # Before the pause, and for every other unit, nothing changes.
    assert [m for m in heard if m[0] < FIRST] == [m for m in _to(plain, "社救科") if m[0] < FIRST]
    for unit in ("社区科", "社会事务科", "救助管理站"):
        assert _to(paused, unit) == _to(plain, unit)
    # The first workday after the pause: 2.3 comes back, still due 30 June, as the first
    # overdue prompt; leadership hears of it three unpaused workdays later, not on 6 July.
    assert (BACK, "prompt") in heard
    assert _items(paused, "prompt", "2.3")[:2] == [
        ("2022-06-23", "reminder", "2022-06-30"),
        (BACK, "overdue", "2022-06-30"),
    ]
    assert _items(plain, "escalation", "2.3")[0][0] == "2022-07-06"
    assert _items(paused, "escalation", "2.3")[0][0] == "2022-07-14"


def test_a_resume_ends_the_pause_that_day(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "2022-06-27 pause 社救科 2022-07-29 防汛抢险\n2022-07-11 resume 社救科\n", "utf-8"
    )
    found = _run(capsys, *SPAN, "--answers", str(answers))
    heard = [day for day, _ in _to(found, "社救科") if day >= FIRST]
    assert heard[0] == BACK


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2022-06-27 pause 社救科 2022-07-08\n", "UNTIL REASON"),
        ("2022-06-27 pause 社救科 7月8日 防汛\n", "is not a date"),
        ("2022-06-27 pause 外星科 2022-07-08 防汛\n", "外星科"),
        ("2022-06-27 resume 社救科\n", "not paused"),
    ],
)
def test_a_bad_pause_line_names_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, message: str
) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("# pauses\n" + line, encoding="utf-8")
    assert main(["simulate", *SPAN, "--answers", str(answers)]) == 1
    err = capsys.readouterr().err
    assert "answers line 2" in err
    assert message in err


async def test_skipping_quiet_days_is_exact_with_pauses(tmp_path: Path) -> None:
    answers = parse_answers(
        PAUSE
        + "2022-09-01 pause 社区科 2022-10-14 人员借调\n"
        + "2022-09-19 resume 社区科\n"
        + "2022-11-25 pause 殡葬科 2022-12-02 冬至祭扫准备\n"
    )
    settings = load_settings()
    span = (date(2022, 6, 1), date(2022, 12, 31))
    skipping = await simulate(default_plan_path(), *span, settings, answers)
    every_day = await simulate(
        default_plan_path(), *span, settings, answers, db_url=f"sqlite:///{tmp_path / 's.db'}"
    )
    assert [m.to_json() for m in skipping] == [m.to_json() for m in every_day]


async def test_silence_while_paused_does_not_count_towards_unreported(tmp_path: Path) -> None:
    """2.1 社救科 is overdue since January and prompted from 4 May; paused 9 May to 10 June,
    it has 15 unpaused workdays of silence by 30 June, under the 20 that make 未报."""
    settings = load_settings()
    rules = settings.status_rules(settings.calendar())
    as_of = datetime(2022, 6, 30, 18, 0, tzinfo=DEFAULT_TZ)
    flagged = {}
    for name, answers in (("plain", ""), ("paused", "2022-05-09 pause 社救科 2022-06-10 防汛\n")):
        url = f"sqlite:///{tmp_path / name}.db"
        span = (date(2022, 5, 4), date(2022, 6, 30))
        await simulate(default_plan_path(), *span, settings, parse_answers(answers), db_url=url)
        db = await Database.connect(url)
        try:
            async with db.session(readonly=True) as session:
                rows = await status_rows(session, as_of, "社救科", rules=rules)
        finally:
            await db.close()
        flagged[name] = {r.task_id for r in rows if "unreported" in r.flags}
    assert "2.1" in flagged["plain"]
    assert "2.1" not in flagged["paused"]
