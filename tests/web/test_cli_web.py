"""`duban web link`, `web revoke`, `web` (serving) and the document commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import docx
import pytest

from cli.main import main
from plan_data import default_plan_path
from storage.bootstrap import open_ledger
from tests.conftest import LEDGER_NOW
from tests.reports.seed import seed_history

CLOCK = "2022-07-04T10:00"


@pytest.fixture
async def seeded_url(sqlite_url: str) -> str:
    db = await open_ledger(sqlite_url, default_plan_path(), LEDGER_NOW)
    try:
        await seed_history(db)
    finally:
        await db.close()
    return sqlite_url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_web_link_prints_a_login_url_on_its_last_line(
    seeded_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_PUBLIC_URL", "https://duban.example.gov.cn")
    monkeypatch.setenv("DUBAN_WEB_LINK_HOURS", "2")
    code, out, _ = _run(capsys, "--db", seeded_url, "--clock", CLOCK, "web", "link", "社区")
    assert code == 0
    first, last = out.strip().splitlines()
    assert "社区科" in first
    assert "valid until 2022-07-04 12:00" in first
    assert last.startswith("https://duban.example.gov.cn/login?t=")
    assert len(last.split("t=")[1]) >= 40
    code, out, _ = _run(capsys, "--db", seeded_url, "web", "link", "--leadership")
    assert code == 0
    assert "leadership" in out


def test_web_link_for_an_unknown_unit_is_one_clear_line(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--db", seeded_url, "web", "link", "外星科")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ")


def test_web_revoke_ends_sessions(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--db", seeded_url, "web", "revoke", "社区科")
    assert code == 0
    assert out.startswith("ended 0 board session(s) of 社区科")
    code, out, _ = _run(capsys, "--db", seeded_url, "web", "revoke", "--all")
    assert "of everyone" in out


def test_document_commands_write_word_files(
    seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("--db", seeded_url, "--clock", CLOCK)
    for argv, name, title in (
        (("notice", "2.1", "--unit", "社救"), "n.docx", "督办通知单"),
        (("bulletin", "--month", "2022-06"), "b.docx", "督查通报"),
        (("bulletin", "--week", "2022-06-29"), "w.docx", "督查通报"),
        (("summary", "--half", "1", "--unit", "社区科"), "s.docx", "社区科2022年上半年"),
        (("summary", "--year-end"), "y.docx", "2022年工作要点落实情况报告（年终）"),
    ):
        target = tmp_path / name
        code, out, _ = _run(capsys, *base, *argv, "--out", str(target))
        assert code == 0, argv
        assert out.strip() == f"wrote {target}"
        titles = [p.text for p in docx.Document(str(target)).paragraphs if p.style.name == "Title"]
        assert titles[0].startswith(title), argv


@pytest.mark.parametrize(
    "argv",
    [
        ("bulletin", "--month", "June"),
        ("notice", "3.4", "--unit", "社会事务科"),
        ("notice", "2.1", "--unit", "社区科"),
        ("summary", "--half", "1", "--out", "/no/such/folder/s.docx"),
    ],
)
def test_bad_document_requests_are_one_clear_line(
    seeded_url: str, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--db", seeded_url, "--clock", CLOCK, *argv)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_duban_web_serves_the_board_alone_and_stops_on_sigterm(seeded_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "DUBAN_DATABASE_URL": seeded_url, "DUBAN_CLOCK": CLOCK}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "web", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        status, page = 0, ""
        while not status:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login?t=wrong", timeout=5)
            except urllib.error.HTTPError as refused:
                status, page = refused.code, refused.read().decode()
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert status == 403
        assert "链接无效或已过期" in page
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    assert f"web board on http://127.0.0.1:{port}/" in out
