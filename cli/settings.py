"""Settings from the environment and `.env`; read once, by the command line only."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field
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

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone (DUBAN_TZ); an unknown name is a clear error."""
        try:
            return ZoneInfo(self.tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadSetting(f"DUBAN_TZ: unknown time zone {self.tz_name!r}") from None

    @property
    def plan_path(self) -> Path:
        """Return the plan file to use: DUBAN_PLAN or the shipped seed."""
        return self.plan or DEFAULT_PLAN
