"""How `duban run` logs: one line per event, as text or as JSON for log shippers, secrets never.

INFO is quiet when nothing happens: the libraries' chatter (an HTTP client's every request,
APScheduler's every job) is turned down to WARNING, and duban itself logs a line per delivery
batch and per scheduler pass that queued something. Every line passes through a filter that
replaces the configured secrets (the bot token, the WeCom secrets) with `***`, tracebacks
included.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are every request or every job run.
CHATTY = ("httpx", "httpcore", "apscheduler", "telegram", "aiohttp.access", "alembic")
# Attributes every LogRecord has; the rest were passed as `extra=` and go into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redacting(logging.Formatter):
    """A formatter that never lets a secret through, whatever the message or traceback."""

    def __init__(self, secrets: Iterable[str], fmt: str | None = TEXT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is hidden whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return the text with every secret replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        """Format the record as text, secrets hidden."""
        return self.redact(super().format(record))


class JsonLines(Redacting):
    """One JSON object per line: time, level, logger, message, the record's extras, and the
    traceback (`exc`) only when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """Format the record as one JSON line, secrets hidden."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value if isinstance(value, (int, float, str, bool)) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, ensure_ascii=False))


def setup_logging(
    fmt: LogFormat = "text",
    level: int = logging.INFO,
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> None:
    """Send every log line to stderr (or `stream`) in one format, with secrets hidden."""
    handler = logging.StreamHandler(stream or sys.stderr)
    hidden = [s for s in secrets if s]
    handler.setFormatter(JsonLines(hidden, None) if fmt == "json" else Redacting(hidden))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
