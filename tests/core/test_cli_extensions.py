"""`duban report … --status extension`: the core's rules, refused in one English line, the
ledger unchanged; the same refusals the chat gives in Chinese (tests/dialogue)."""

from __future__ import annotations

import pytest

from cli.main import main
from tests.storage.test_cli import count


def duban(url: str, clock: str, *args: str) -> int:
    return main(["--db", url, "--clock", clock, *args])


THURSDAY = "2022-06-23T10:00:00+08:00"


@pytest.mark.parametrize(
    ("words", "clock", "said"),
    [
        # 4.2 is due 12月31日: next Friday is no extension.
        (
            "report 4.2 --unit 社区科 --status extension --date 下周五",
            THURSDAY,
            "an extension must move the due date past 2022-12-31",
        ),
        # The README's example read on today's clock: 8月31日 is next year's, past 2023's end.
        (
            "report 2.3 --unit 社救科 --status extension --date 8月31日",
            "2026-12-01T10:00:00+08:00",
            "an extension may go up to 2023-12-31",
        ),
        (
            "report 1.1 --unit 社救科 --status extension --date 7月15日",
            THURSDAY,
            "1.1 cannot be extended: it is ongoing work without a deadline",
        ),
        (
            "report 2.3 --unit 社救科 --status extension --date 6月25日",
            THURSDAY,
            "an extension must move the due date past 2022-06-30",
        ),
        (
            "report 2.3 --unit 社救科 --status extension --date 7月15日 --milestone 9",
            THURSDAY,
            "milestone 9 is not a milestone of task 2.3",
        ),
        (
            "report 2.3 --unit 社区科 --status extension --date 7月15日",
            THURSDAY,
            "unit '社区科' does not own task 2.3",
        ),
    ],
)
def test_an_extension_the_rules_refuse_changes_nothing(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], words: str, clock: str, said: str
) -> None:
    assert duban(sqlite_url, clock, "status") == 0
    before = count(sqlite_url)
    capsys.readouterr()
    assert duban(sqlite_url, clock, *words.split()) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert said in err
    assert len(err.splitlines()) == 1
    assert count(sqlite_url) == before


def test_an_extension_takes_the_nearest_open_deadline_and_says_which(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    words = "report 2.3 --unit 社救科 --status extension --date 下周五 --note 对方未签字"
    assert duban(database_url, THURSDAY, *words.split()) == 0
    out = capsys.readouterr().out
    assert "2.3 社救科, deadline (完成协议签署) 2022-06-30 -> 2022-07-01" in out
    assert "the nearest open deadline" in out
    # A second request for the same deadline waits for the first to be decided.
    assert duban(database_url, THURSDAY, *words.split()) == 1
    assert "awaiting a decision" in capsys.readouterr().err


def test_a_named_milestone_is_the_one_moved(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    words = "report 2.3 --unit 社救科 --status extension --date 2023年3月31日 --milestone 1"
    assert duban(sqlite_url, THURSDAY, *words.split()) == 0
    out = capsys.readouterr().out
    assert "2022-06-30 -> 2023-03-31" in out
    assert "nearest" not in out
