"""`duban simulate` end to end: the real reconcile, a throwaway database, no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def simulate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["simulate", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_lines_follow_design(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = simulate(capsys, "--from", "2022-06-20", "--to", "2022-06-24", "--json")
    assert status == 0
    found = lines(out)
    assert {m["kind"] for m in found} == {"digest", "prompt", "escalation"}
    for message in found:
        assert set(message) == {"at", "to", "kind", "items", "text"}
        assert isinstance(message["text"], str)
    prompt = next(m for m in found if m["kind"] == "prompt" and m["to"] == "社救科")
    assert prompt["at"] == "2022-06-21T09:00:00+08:00"
    items = prompt["items"]
    assert isinstance(items, list)
    assert {"task", "kind", "due", "action"} <= set(items[0])
    digest = next(m for m in found if m["kind"] == "digest")
    assert digest["to"] == "leadership"
    assert digest["at"] == "2022-06-20T09:00:00+08:00"
    # Nothing on the weekend, one prompt per unit per day.
    days = [(m["to"], str(m["at"])[:10]) for m in found if m["kind"] == "prompt"]
    assert len(days) == len(set(days))


def test_readable_view_by_day(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = simulate(capsys, "--from", "2022-06-23", "--to", "2022-06-23")
    assert status == 0
    assert "== 2022-06-23 6月23日（周四）" in out
    assert "-- 09:00 to 社救科 (prompt)" in out
    assert "   【督办提醒】社救科 · 6月23日（周四）" in out
    assert out.rstrip().endswith("message(s) from 2022-06-23 to 2022-06-23")


def test_answers_stop_prompts_after_done_and_move_them_after_extension(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "# a unit answers at noon\n"
        "2022-06-23 2.3 社救科 extension 2022-07-15 街道调整\n"
        "2022-06-24 approve 2.3 社救科\n"
        "2022-06-27 2.1 社救科 done 已印发\n"
        "2022-06-27 3.2 社会事务科 blocked 日照中心选址未定\n",
        encoding="utf-8",
    )
    args = ["--from", "2022-06-20", "--to", "2022-07-20", "--json", "--answers", str(answers)]
    status, out, _ = simulate(capsys, *args)
    assert status == 0
    found = lines(out)

    def about(task: str) -> list[tuple[str, object]]:
        return [
            (str(m["at"])[:10], i["due"])  # type: ignore[index]
            for m in found
            if m["kind"] == "prompt"
            for i in m["items"]  # type: ignore[attr-defined]
            if i["task"] == task and i["kind"] != "checkin"
        ]

    assert about("2.3") == [
        ("2022-06-23", "2022-06-30"),
        ("2022-07-01", "2022-07-15"),
        ("2022-07-08", "2022-07-15"),
        ("2022-07-12", "2022-07-15"),
        ("2022-07-14", "2022-07-15"),
        ("2022-07-15", "2022-07-15"),
        ("2022-07-18", "2022-07-15"),
    ]
    assert max(day for day, _ in about("2.1")) < "2022-06-27"
    kinds = {(m["kind"], str(m["at"])[:10]) for m in found}
    assert ("extension_request", "2022-06-23") in kinds
    assert ("extension_outcome", "2022-06-24") in kinds
    assert ("alert", "2022-06-27") in kinds
    escalations = [str(m["at"])[:10] for m in found if m["kind"] == "escalation"]
    assert escalations
    assert max(escalations) < "2022-06-27"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2022-06-20", "--to", "soon"], "--to"),
        (["--from", "2022-06-20", "--to", "2022-06-01"], "before"),
        (["--from", "2022-01-01", "--to", "2025-01-01"], "at most"),
    ],
)
def test_bad_options_are_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _, err = simulate(capsys, *args)
    assert status == 1
    assert message in err


def test_bad_answers_name_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("2022-06-23 2.3 社救科 done\n2022-06-24 2.3 社救科 finished\n", "utf-8")
    status, _, err = simulate(
        capsys, "--from", "2022-06-20", "--to", "2022-06-24", "--answers", str(answers)
    )
    assert status == 1
    assert "answers line 2" in err


def test_simulate_on_a_given_database_keeps_its_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    status, out, _ = simulate(
        capsys, "--from", "2022-06-23", "--to", "2022-06-23", "--json", "--db", url
    )
    assert status == 0
    assert lines(out)
    assert (tmp_path / "sim.db").exists()
    # A second run on the same database sends nothing again: it is all in its outbox.
    status, out, _ = simulate(
        capsys, "--from", "2022-06-23", "--to", "2022-06-23", "--json", "--db", url
    )
    assert status == 0
    assert lines(out) == []
