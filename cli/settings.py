"""Settings from the environment and `.env`; read once, by the command line only.

Read as pydantic-settings read them (a name in any case; the environment before `.env`;
other names ignored) but without importing it or pydantic, which cost every `duban`
command about 0.2 s (issue 13): a value in the plain form of its type is taken here, and
anything else goes to pydantic (`cli.settings_check`), which converts what it accepts and
words the errors.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plan_data.errors import DubanError
from vocabulary import DEFAULT_TZ_NAME


class BadSetting(DubanError):
    """A setting from the environment or `.env` that cannot be used."""


class BadSettings(DubanError):
    """Settings that fail their checks: one line per bad setting, named as the environment
    names it (`setting WECOM_AGENT_ID: Input should be a valid integer, …`)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class Secret:
    """A setting never shown: printed or logged, it reads "**********"."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """Return the secret itself."""
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return "**********"

    def __repr__(self) -> str:
        return "Secret('**********')"


DEFAULT_PLAN = Path(__file__).resolve().parent.parent / "plan_data" / "dongli-2022-minzheng.txt"
ENV_FILE = Path(".env")


def _env(name: str, **check: float) -> dict[str, object]:
    """Return a field's metadata: its environment name and its bounds (ge, gt)."""
    return {"env": name, "check": check}


@dataclass
class Settings:
    """Everything the service reads from its environment (`read_settings`)."""

    telegram_bot_token: str | None = field(default=None, metadata=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str = field(
        default="https://api.telegram.org/bot", metadata=_env("TELEGRAM_API_BASE_URL")
    )
    database_url: str = field(default="sqlite:///duban.db", metadata=_env("DUBAN_DATABASE_URL"))
    plan: Path | None = field(default=None, metadata=_env("DUBAN_PLAN"))
    tz_name: str = field(default=DEFAULT_TZ_NAME, metadata=_env("DUBAN_TZ"))
    clock: str | None = field(default=None, metadata=_env("DUBAN_CLOCK"))
    policy_file: Path | None = field(default=None, metadata=_env("DUBAN_SETTINGS"))
    # WeCom (企业微信 / 政务微信) self-built app. The secret, the callback token and the AES
    # key are Secrets so that a printed or logged Settings shows "**********", never them.
    wecom_corp_id: str | None = field(default=None, metadata=_env("WECOM_CORP_ID"))
    wecom_agent_id: int | None = field(default=None, metadata=_env("WECOM_AGENT_ID"))
    wecom_secret: Secret | None = field(default=None, metadata=_env("WECOM_SECRET"))
    wecom_token: Secret | None = field(default=None, metadata=_env("WECOM_TOKEN"))
    wecom_encoding_aes_key: Secret | None = field(
        default=None, metadata=_env("WECOM_ENCODING_AES_KEY")
    )
    wecom_api_base_url: str = field(
        default="https://qyapi.weixin.qq.com", metadata=_env("WECOM_API_BASE_URL")
    )
    # The HTTP server for the WeCom callback (/wecom/callback) and the web board (/).
    http_host: str = field(default="127.0.0.1", metadata=_env("DUBAN_HTTP_HOST"))
    http_port: int = field(default=8080, metadata=_env("DUBAN_HTTP_PORT"))
    backup_dir: Path | None = field(default=None, metadata=_env("DUBAN_BACKUP_DIR"))
    backup_keep: int = field(default=14, metadata=_env("DUBAN_BACKUP_KEEP", ge=1))
    public_url: str | None = field(default=None, metadata=_env("DUBAN_PUBLIC_URL"))
    web_link_hours: float = field(default=24.0, metadata=_env("DUBAN_WEB_LINK_HOURS", gt=0))
    web_session_days: float = field(default=7.0, metadata=_env("DUBAN_WEB_SESSION_DAYS", gt=0))
    templates_dir: Path | None = field(default=None, metadata=_env("DUBAN_TEMPLATES_DIR"))
    evidence_dir: Path | None = field(default=None, metadata=_env("DUBAN_EVIDENCE_DIR"))
    issuer: str | None = field(default=None, metadata=_env("DUBAN_ISSUER"))

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone (DUBAN_TZ); an unknown name is a clear error."""
        try:
            return ZoneInfo(self.tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadSetting(f"DUBAN_TZ: unknown time zone {self.tz_name!r}") from None

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


# The plain forms taken without pydantic; pydantic accepts each with the same value.
_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,15}")
_PLAIN_FLOAT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


def read_environment() -> dict[str, str]:
    """Return the settings present, by their environment names: from the environment, else
    from `.env` in the working directory; a name matches in any case."""
    found: dict[str, str | None] = {}
    if ENV_FILE.is_file() or ENV_FILE.is_fifo():
        from dotenv import dotenv_values  # only when there is a file to read

        found |= {key.lower(): value for key, value in dotenv_values(ENV_FILE).items()}
    found |= {key.lower(): value for key, value in os.environ.items()}
    names = {f.metadata["env"].lower(): f.metadata["env"] for f in fields(Settings)}
    return {names[k]: value for k, value in found.items() if k in names and value is not None}


def read_settings() -> Settings:
    """Return the settings from the environment and `.env`; `BadSettings` if any is wrong."""
    raw = read_environment()
    values: dict[str, object] = {}
    for f in fields(Settings):
        text = raw.get(f.metadata["env"])
        if text is None:
            continue
        value = _plain(str(f.type), text, f.metadata["check"])
        if value is None:
            from cli.settings_check import checked  # pydantic: only for what is not plain

            return checked(raw)
        values[f.name] = value
    return Settings(**values)  # type: ignore[arg-type]


def _plain(kind: str, text: str, check: dict[str, float]) -> object | None:
    """Return a setting's value if its text is in its type's plain form, else None."""
    value: object
    if kind.startswith("str"):
        value = text
    elif kind.startswith("Secret"):
        value = Secret(text)
    elif kind.startswith("Path"):
        if not text or "\x00" in text:
            return None
        value = Path(text)
    elif kind.startswith("int") and _PLAIN_INT.fullmatch(text):
        value = int(text)
    elif kind.startswith("float") and _PLAIN_FLOAT.fullmatch(text):
        value = float(text)
    else:
        return None
    number = value if isinstance(value, int | float) else None
    if number is not None and ("ge" in check and number < check["ge"]):
        return None
    if number is not None and ("gt" in check and number <= check["gt"]):
        return None
    return value
