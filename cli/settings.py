"""Settings from the environment and `.env`; read once, by the command line only."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from plan_data.errors import DubanError
from vocabulary import DEFAULT_TZ_NAME


class BadSetting(DubanError):
    """A setting from the environment or `.env` that cannot be used."""


DEFAULT_PLAN = Path(__file__).resolve().parent.parent / "plan_data" / "dongli-2022-minzheng.txt"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    database_url: str = Field(default="sqlite:///duban.db", alias="DUBAN_DATABASE_URL")
    plan: Path | None = Field(default=None, alias="DUBAN_PLAN")
    tz_name: str = Field(default=DEFAULT_TZ_NAME, alias="DUBAN_TZ")
    clock: str | None = Field(default=None, alias="DUBAN_CLOCK")
    policy_file: Path | None = Field(default=None, alias="DUBAN_SETTINGS")
    # WeCom (企业微信 / 政务微信) self-built app. The secret, the callback token and the AES
    # key are SecretStr so that a printed or logged Settings shows "**********", never them.
    wecom_corp_id: str | None = Field(default=None, alias="WECOM_CORP_ID")
    wecom_agent_id: int | None = Field(default=None, alias="WECOM_AGENT_ID")
    wecom_secret: SecretStr | None = Field(default=None, alias="WECOM_SECRET")
    wecom_token: SecretStr | None = Field(default=None, alias="WECOM_TOKEN")
    wecom_encoding_aes_key: SecretStr | None = Field(default=None, alias="WECOM_ENCODING_AES_KEY")
    wecom_api_base_url: str = Field(
        default="https://qyapi.weixin.qq.com", alias="WECOM_API_BASE_URL"
    )
    # The HTTP server for the WeCom callback (/wecom/callback) and the web board (/).
    http_host: str = Field(default="127.0.0.1", alias="DUBAN_HTTP_HOST")
    http_port: int = Field(default=8080, alias="DUBAN_HTTP_PORT")
    backup_dir: Path | None = Field(default=None, alias="DUBAN_BACKUP_DIR")
    backup_keep: int = Field(default=14, ge=1, alias="DUBAN_BACKUP_KEEP")
    public_url: str | None = Field(default=None, alias="DUBAN_PUBLIC_URL")
    web_link_hours: float = Field(default=24, gt=0, alias="DUBAN_WEB_LINK_HOURS")
    web_session_days: float = Field(default=7, gt=0, alias="DUBAN_WEB_SESSION_DAYS")
    templates_dir: Path | None = Field(default=None, alias="DUBAN_TEMPLATES_DIR")
    evidence_dir: Path | None = Field(default=None, alias="DUBAN_EVIDENCE_DIR")
    issuer: str | None = Field(default=None, alias="DUBAN_ISSUER")

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
