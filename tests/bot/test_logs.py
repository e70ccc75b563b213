"""`duban run`'s log lines: text or one JSON object a line, and never a secret, even inside a
traceback."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from cli.logs import setup_logging

TOKEN = "123456789:AAF-secret-token-for-this-test"  # noqa: S105 - a made-up token


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root logger back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers = handlers
    root.setLevel(level)
    for name in ("httpx", "apscheduler", "telegram"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def _refuse() -> None:
    raise ValueError(f"The token `{TOKEN}` was rejected by the server.")


def _log_everything(log: logging.Logger) -> None:
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        _refuse()
    except ValueError:
        log.exception("boom")
    log.info("a batch", extra={"sent": 3, "window_ms": 4.2})


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_never_show_a_secret() -> None:
    out = io.StringIO()
    setup_logging("text", secrets=[TOKEN, None], stream=out)
    _log_everything(logging.getLogger("duban.test"))
    shown = out.getvalue()
    assert TOKEN not in shown
    assert "bot***/getMe" in shown
    assert "The token `***` was rejected" in shown


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_are_one_object_each_with_extras_and_no_secret() -> None:
    out = io.StringIO()
    setup_logging("json", secrets=[TOKEN], stream=out)
    _log_everything(logging.getLogger("duban.test"))
    lines = out.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["level"] for r in records] == ["INFO", "ERROR", "INFO"]
    assert TOKEN not in out.getvalue()
    assert "***" in records[1]["exc"]
    assert (records[2]["sent"], records[2]["window_ms"]) == (3, 4.2)


@pytest.mark.usefixtures("restore_logging")
def test_chatty_libraries_are_held_at_warning() -> None:
    out = io.StringIO()
    setup_logging("text", stream=out)
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot…")
    logging.getLogger("apscheduler.executors.default").info('Running job "tick"')
    assert out.getvalue() == ""
