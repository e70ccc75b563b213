"""Settings: the environment over `.env`, every bad value named before any command runs, and
secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from cli.settings import DEFAULT_PLAN, BadSettings, Settings

NAMES = ("WECOM_AGENT_ID", "DUBAN_BACKUP_KEEP", "DUBAN_HTTP_PORT", "DUBAN_WEB_LINK_HOURS")


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in (*NAMES, "DUBAN_DATABASE_URL", "DUBAN_TZ", "WECOM_SECRET", "DUBAN_PLAN"):
        monkeypatch.delenv(name, raising=False)


def test_unset_settings_take_their_defaults() -> None:
    settings = Settings.read({})
    assert settings.database_url == "sqlite:///duban.db"
    assert (settings.http_port, settings.backup_keep, settings.web_link_hours) == (8080, 14, 24)
    assert settings.telegram_bot_token is None
    assert settings.plan_path == DEFAULT_PLAN
    assert not settings.wecom_configured


def test_the_environment_wins_over_dot_env_and_names_match_in_any_case(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# 本局的设置\nDUBAN_HTTP_PORT=9000\nduban_tz=Asia/Urumqi\nDUBAN_ISSUER='东丽区民政局'\n"
        "DUBAN_PLAN=plans/2023.txt\n",
        encoding="utf-8",
    )
    settings = Settings.read({"DUBAN_HTTP_PORT": "9100", "DUBAN_WEB_LINK_HOURS": "1.5"})
    assert settings.http_port == 9100
    assert settings.tz_name == "Asia/Urumqi"
    assert settings.issuer == "东丽区民政局"
    assert settings.plan_path == Path("plans/2023.txt")
    assert settings.web_link_hours == 1.5


def test_an_empty_value_counts_as_unset(tmp_path: Path) -> None:
    settings = Settings.read({"TELEGRAM_BOT_TOKEN": "", "DUBAN_HTTP_PORT": ""})
    assert (settings.telegram_bot_token, settings.http_port) == (None, 8080)
    # An empty variable (`VAR=${VAR}` in a service file) leaves `.env`'s value in force.
    (tmp_path / ".env").write_text(
        "DUBAN_DATABASE_URL=postgresql://duban@db/duban\n", encoding="utf-8"
    )
    settings = Settings.read({"DUBAN_DATABASE_URL": ""})
    assert settings.database_url == "postgresql://duban@db/duban"


def test_every_bad_value_is_named_at_once() -> None:
    bad = {
        "WECOM_AGENT_ID": "1000002x",
        "DUBAN_BACKUP_KEEP": "0",
        "DUBAN_HTTP_PORT": "http",
        "DUBAN_WEB_LINK_HOURS": "-2",
        "DUBAN_TZ": "Asia/Beijing",
    }
    with pytest.raises(BadSettings) as refused:
        Settings.read(bad)
    assert [name for name, _ in refused.value.problems] == [
        "DUBAN_TZ",
        "WECOM_AGENT_ID",
        "DUBAN_HTTP_PORT",
        "DUBAN_BACKUP_KEEP",
        "DUBAN_WEB_LINK_HOURS",
    ]
    assert dict(refused.value.problems) == {
        "DUBAN_TZ": "unknown time zone 'Asia/Beijing'",
        "WECOM_AGENT_ID": "not a whole number: '1000002x'",
        "DUBAN_HTTP_PORT": "not a whole number: 'http'",
        "DUBAN_BACKUP_KEEP": "must be at least 1, not 0",
        "DUBAN_WEB_LINK_HOURS": "must be more than 0, not -2",
    }


def test_a_command_with_a_bad_setting_says_which_and_does_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "duban.db"
    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{ledger}")
    monkeypatch.setenv("DUBAN_BACKUP_KEEP", "none")
    (tmp_path / ".env").write_text("WECOM_AGENT_ID=agent\n", encoding="utf-8")
    assert main(["plan", "import"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "error: setting WECOM_AGENT_ID: not a whole number: 'agent'",
        "error: setting DUBAN_BACKUP_KEEP: not a whole number: 'none'",
    ]
    assert not ledger.exists()


def test_a_printed_settings_never_shows_a_secret() -> None:
    settings = Settings.read({"WECOM_SECRET": "s3cret-value", "WECOM_TOKEN": "t0ken"})
    assert settings.wecom_secret is not None
    assert settings.wecom_secret.value == "s3cret-value"
    shown = f"{settings} {settings!r} {settings.wecom_secret} {settings.wecom_token!r}"
    assert "s3cret" not in shown
    assert "t0ken" not in shown
