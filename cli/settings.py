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
    http_host: str = Field(default="127.0.0.1", alias="DUBAN_HTTP_HOST")
    http_port: int = Field(default=8080, alias="DUBAN_HTTP_PORT")
    public_url: str | None = Field(default=None, alias="DUBAN_PUBLIC_URL")
    web_link_hours: float = Field(default=24, gt=0, alias="DUBAN_WEB_LINK_HOURS")
    web_session_days: float = Field(default=7, gt=0, alias="DUBAN_WEB_SESSION_DAYS")
    templates_dir: Path | None = Field(default=None, alias="DUBAN_TEMPLATES_DIR")
    evidence_dir: Path | None = Field(default=None, alias="DUBAN_EVIDENCE_DIR")
    issuer: str | None = Field(default=None, alias="DUBAN_ISSUER")

    @property
    def tz(self) -> ZoneInfo:
        """Return the office's time zone."""
        return ZoneInfo(self.tz_name)

    @property
    def base_url(self) -> str:
        """Return the URL people open the board at: DUBAN_PUBLIC_URL or http://HOST:PORT."""
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def plan_path(self) -> Path:
        """Return the plan file to use: DUBAN_PLAN or the shipped seed."""
        return self.plan or DEFAULT_PLAN
