"""Settings from the environment and `.env`; read once, by the command line only.

Each setting is one environment variable (the name is matched in any case, as shells and
`.env` files differ); the environment wins over `.env` in the working directory, and an empty
value counts as unset. A value that cannot be used is refused with every bad setting named,
before any command runs.

A dataclass and python-dotenv rather than pydantic-settings: these are a few dozen strings,
ints and paths, and pydantic-settings costs ~140 ms to import, a quarter of `duban plan show`
and a tenth of `duban run`'s start (`benchmarks/bench_start.py`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plan_data.errors import DubanError
from vocabulary import DEFAULT_TZ_NAME


class BadSettings(DubanError):
    """Settings from the environment or `.env` that cannot be used, each named."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems))
        self.problems = problems


@dataclass(frozen=True)
class Secret:
    """A value never shown: printed or logged, it reads `**********`."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "**********"


DEFAULT_PLAN = Path(__file__).resolve().parent.parent / "plan_data" / "dongli-2022-minzheng.txt"


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None


def _at_least(low: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        number = _whole(text)
        if number < low:
            raise ValueError(f"must be at least {low}, not {number}")
        return number

    return read


def _positive(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if not number > 0:  # NaN too
        raise ValueError(f"must be more than 0, not {text}")
    return number


def _time_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {text!r}") from None
    return text


def _env(name: str, read: Callable[[str], Any] = str) -> dict[str, Any]:
    """Return a setting's field metadata: its environment variable, how its text is read."""
    return {"env": name, "read": read}


@dataclass
class Settings:
    """Everything the service reads from its environment."""

    telegram_bot_token: str | None = field(default=None, metadata=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str = field(
        default="https://api.telegram.org/bot", metadata=_env("TELEGRAM_API_BASE_URL")
    )
    database_url: str = field(default="sqlite:///duban.db", metadata=_env("DUBAN_DATABASE_URL"))
    plan: Path | None = field(default=None, metadata=_env("DUBAN_PLAN", Path))
    tz_name: str = field(default=DEFAULT_TZ_NAME, metadata=_env("DUBAN_TZ", _time_zone))
    clock: str | None = field(default=None, metadata=_env("DUBAN_CLOCK"))
    policy_file: Path | None = field(default=None, metadata=_env("DUBAN_SETTINGS", Path))
    # WeCom (企业微信 / 政务微信) self-built app. The secret, the callback token and the AES
    # key are Secret so that a printed or logged Settings shows "**********", never them.
    wecom_corp_id: str | None = field(default=None, metadata=_env("WECOM_CORP_ID"))
    wecom_agent_id: int | None = field(default=None, metadata=_env("WECOM_AGENT_ID", _whole))
    wecom_secret: Secret | None = field(default=None, metadata=_env("WECOM_SECRET", Secret))
    wecom_token: Secret | None = field(default=None, metadata=_env("WECOM_TOKEN", Secret))
    wecom_encoding_aes_key: Secret | None = field(
        default=None, metadata=_env("WECOM_ENCODING_AES_KEY", Secret)
    )
    wecom_api_base_url: str = field(
        default="https://qyapi.weixin.qq.com", metadata=_env("WECOM_API_BASE_URL")
    )
    # The HTTP server for the WeCom callback (/wecom/callback) and the web board (/).
    http_host: str = field(default="127.0.0.1", metadata=_env("DUBAN_HTTP_HOST"))
    http_port: int = field(default=8080, metadata=_env("DUBAN_HTTP_PORT", _whole))
    backup_dir: Path | None = field(default=None, metadata=_env("DUBAN_BACKUP_DIR", Path))
    backup_keep: int = field(default=14, metadata=_env("DUBAN_BACKUP_KEEP", _at_least(1)))
    public_url: str | None = field(default=None, metadata=_env("DUBAN_PUBLIC_URL"))
    web_link_hours: float = field(default=24.0, metadata=_env("DUBAN_WEB_LINK_HOURS", _positive))
    web_session_days: float = field(
        default=7.0, metadata=_env("DUBAN_WEB_SESSION_DAYS", _positive)
    )
    templates_dir: Path | None = field(default=None, metadata=_env("DUBAN_TEMPLATES_DIR", Path))
    evidence_dir: Path | None = field(default=None, metadata=_env("DUBAN_EVIDENCE_DIR", Path))
    issuer: str | None = field(default=None, metadata=_env("DUBAN_ISSUER"))

    @classmethod
    def read(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Return the settings from `environ` (the process's) over `env_file`'s; raise
        `BadSettings` naming every value that cannot be used."""
        given: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            from dotenv import dotenv_values

            given |= _by_name(dotenv_values(env_file, encoding="utf-8"))
        given |= _by_name(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for each in fields(cls):
            name = each.metadata["env"]
            text = given.get(name)
            if text is None:
                continue
            try:
                values[each.name] = each.metadata["read"](text)
            except ValueError as exc:
                problems.append((name, str(exc)))
        if problems:
            raise BadSettings(problems)
        return cls(**values)

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone (DUBAN_TZ, checked when read)."""
        return ZoneInfo(self.tz_name)

    @property
    def wecom_configured(self) -> bool:
        """Tell whether every WECOM_* setting the app channel needs is present."""
        return None not in (
            self.wecom_corp_id,
            self.wecom_agent_id,
            self.wecom_secret,
            self.wecom_token,
            self.wecom_encoding_aes_key,
        )

    @property
    def daily_backup_dir(self) -> Path | None:
        """Return where the service keeps its daily backups, or None for none.

        DUBAN_BACKUP_DIR if set; else, for a SQLite ledger, `backups/` beside the ledger
        file; a PostgreSQL ledger gets daily dumps only when DUBAN_BACKUP_DIR is set.
        """
        if self.backup_dir is not None:
            return self.backup_dir
        from storage.backup import sqlite_path  # sqlalchemy: only when a backup is wanted

        try:
            ledger = sqlite_path(self.database_url)
        except DubanError:  # in-memory or unreadable: nothing to back up daily
            return None
        return None if ledger is None else ledger.parent / "backups"

    @property
    def base_url(self) -> str:
        """Return the URL people open the board at: DUBAN_PUBLIC_URL or http://HOST:PORT."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def plan_path(self) -> Path:
        """Return the plan file to use: DUBAN_PLAN or the shipped seed."""
        return self.plan or DEFAULT_PLAN


def _by_name(given: Mapping[str, str | None]) -> dict[str, str]:
    """Return the values keyed by their upper-case names, unset and empty ones left out (an
    empty variable in the environment leaves `.env`'s value in force)."""
    return {name.upper(): value for name, value in given.items() if value}
