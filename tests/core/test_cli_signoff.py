"""`duban signoff …`, `duban invite --leadership --level 2` and sign-off in `duban simulate
--answers`: the same core rules the chat buttons use, refusals in one English line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from tests.storage.test_cli import count

THURSDAY = "2022-06-23T10:00:00+08:00"
FRIDAY = "2022-06-24T10:00:00+08:00"


def duban(url: str, clock: str, *args: str) -> int:
    return main(["--db", url, "--clock", clock, *args])


def _light(url: str, capsys: pytest.CaptureFixture[str], task: str) -> tuple[str, str | None]:
    capsys.readouterr()
    assert duban(url, FRIDAY, "status", "社救科", "--json") == 0
    row = next(t for t in json.loads(capsys.readouterr().out)["tasks"] if t["id"] == task)
    return row["light"], row["signoff"]


def test_a_second_level_invite_says_its_level(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert duban(sqlite_url, THURSDAY, "invite", "--leadership", "--level", "2") == 0
    assert "invite for leadership (level 2)" in capsys.readouterr().out
    assert duban(sqlite_url, THURSDAY, "invite", "社区科", "--level", "2") == 1
    assert "--level is a leadership level" in capsys.readouterr().err


def test_list_return_and_pass_from_the_terminal(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = database_url
    assert duban(url, THURSDAY, "signoff", "pass", "2.3", "--unit", "社救科") == 1
    assert "2.3 of 社救科 waits for no sign-off" in capsys.readouterr().err
    words = ["report", "2.3", "--unit", "社救科", "--status", "done", "--note", "协议已签署"]
    assert duban(url, THURSDAY, *words) == 0
    assert _light(url, capsys, "2.3") == ("green", "awaiting")
    assert duban(url, FRIDAY, "signoff", "list") == 0
    listed = capsys.readouterr().out
    assert '2.3 社救科: done 2022-06-23 10:00 by cli "协议已签署"; evidence 无' in listed

    back = ["signoff", "return", "2.3", "--unit", "社救", "--reason", "缺签字页", "--by", "李局长"]
    assert duban(url, FRIDAY, *back) == 0
    assert "returned: 2.3 社救科" in capsys.readouterr().out
    assert _light(url, capsys, "2.3") == ("yellow", None)  # due 6月30日, open again
    assert duban(url, FRIDAY, "signoff", "list") == 0
    assert capsys.readouterr().out.strip() == "nothing waits for sign-off"

    assert duban(url, FRIDAY, *words) == 0
    before = count(url)
    assert duban(url, FRIDAY, "signoff", "pass", "2.3", "--unit", "社救科") == 0
    assert "signed off: 2.3 社救科" in capsys.readouterr().out
    assert _light(url, capsys, "2.3") == ("done", "signed")
    assert duban(url, FRIDAY, "signoff", "withdraw", "2.3", "--unit", "社救科") == 1
    assert "2.3 cannot be withdrawn: it is signed off already" in capsys.readouterr().err
    assert count(url) == before


def test_a_unit_withdraws_its_done_from_the_terminal(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    words = ["report", "2.3", "--unit", "社救科", "--status", "done"]
    assert duban(sqlite_url, THURSDAY, *words) == 0
    assert duban(sqlite_url, THURSDAY, "signoff", "withdraw", "2.3", "--unit", "社救科") == 0
    assert "withdrawn: 2.3 社救科" in capsys.readouterr().out
    assert _light(sqlite_url, capsys, "2.3") == ("yellow", None)


def test_simulated_leadership_returns_then_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text(
        "2022-06-23 2.3 社救科 done 协议已签署\n"
        "2022-06-24 return 2.3 社救科 缺签字页\n"
        "2022-06-27 2.3 社救科 done 已补签字页\n"
        "2022-06-28 pass 2.3 社救科\n",
        encoding="utf-8",
    )
    args = ["--from", "2022-06-23", "--to", "2022-07-06", "--json", "--answers", str(answers)]
    assert main(["simulate", *args]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    reviews = [str(m["at"])[:10] for m in found if m["kind"] == "signoff_review"]
    assert reviews == ["2022-06-24", "2022-06-28"]
    outcomes = [m["text"] for m in found if m["kind"] == "signoff_outcome"]
    assert outcomes[0].startswith("【办结退回】2.3")
    assert "缺签字页" in outcomes[0]
    assert outcomes[1].startswith("【办结通过】2.3")
    prompted = [
        str(m["at"])[:10]
        for m in found
        if m["kind"] == "prompt" and any(i["task"] == "2.3" for i in m["items"])
    ]
    # Returned on Friday: Monday's D-3 reminder comes; after the pass, no more.
    assert "2022-06-27" in prompted
    assert max(prompted) == "2022-06-27"
