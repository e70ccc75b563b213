"""Settings from the environment and `.env`; read once, by the command line only."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from plan_data.errors import DubanError
from storage.backup import sqlite_path

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
    tz_name: str = Field(default="Asia/Shanghai", alias="DUBAN_TZ")
    clock: str | None = Field(default=None, alias="DUBAN_CLOCK")
    policy_file: Path | None = Field(default=None, alias="DUBAN_SETTINGS")
    backup_dir: Path | None = Field(default=None, alias="DUBAN_BACKUP_DIR")
    backup_keep: int = Field(default=14, ge=1, alias="DUBAN_BACKUP_KEEP")

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone."""
        return ZoneInfo(self.tz_name)

    @property
    def daily_backup_dir(self) -> Path | None:
        """Return where the service keeps its daily backups, or None for none.

        DUBAN_BACKUP_DIR if set; else, for a SQLite ledger, `backups/` beside the ledger
        file; a PostgreSQL ledger gets daily dumps only when DUBAN_BACKUP_DIR is set.
        """
        if self.backup_dir is not None:
            return self.backup_dir
        try:
            ledger = sqlite_path(self.database_url)
        except DubanError:  # in-memory or unreadable: nothing to back up daily
            return None
        return None if ledger is None else ledger.parent / "backups"

    @property
    def plan_path(self) -> Path:
        """Return the plan file to use: DUBAN_PLAN or the shipped seed."""
        return self.plan or DEFAULT_PLAN
