"""Settings from the environment and `.env`; read once, by the command line only."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone."""
        return ZoneInfo(self.tz_name)

    @property
    def plan_path(self) -> Path:
        """Return the plan file to use: DUBAN_PLAN or the shipped seed."""
        return self.plan or DEFAULT_PLAN
