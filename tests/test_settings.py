"""Settings read without pydantic mean what pydantic made of them: the same values from the
same text, and pydantic's own words for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.settings import BadSettings, Secret, Settings, read_settings
from cli.settings_check import checked


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("DUBAN_HTTP_PORT", "DUBAN_BACKUP_KEEP", "WECOM_AGENT_ID", "WECOM_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DUBAN_WEB_LINK_HOURS", raising=False)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DUBAN_HTTP_PORT": "8081", "DUBAN_BACKUP_KEEP": "30", "WECOM_AGENT_ID": "1000002"},
        {"DUBAN_HTTP_PORT": " 8081", "DUBAN_BACKUP_KEEP": "030"},
        {"DUBAN_WEB_LINK_HOURS": "1.5"},
        {"DUBAN_WEB_LINK_HOURS": "1e1"},
        {"duban_http_port": "99", "WECOM_SECRET": "s3cret"},
    ],
)
def test_settings_read_plainly_are_what_pydantic_makes_of_them(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert read_settings() == checked({name.upper(): value for name, value in env.items()})


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"DUBAN_BACKUP_KEEP": "0"}, "setting DUBAN_BACKUP_KEEP: Input should be greater than"),
        ({"WECOM_AGENT_ID": "abc"}, "setting WECOM_AGENT_ID: Input should be a valid integer"),
        ({"DUBAN_WEB_LINK_HOURS": "-1"}, "setting DUBAN_WEB_LINK_HOURS: Input should be greater"),
    ],
)
def test_a_bad_setting_is_named_as_the_environment_names_it(
    env: dict[str, str], line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(BadSettings) as raised:
        read_settings()
    assert raised.value.lines[0].startswith(line)


def test_the_environment_wins_over_dotenv_and_secrets_never_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("DUBAN_HTTP_PORT=9000\nWECOM_SECRET=from-file\n")
    assert (read_settings().http_port, read_settings().wecom_secret) == (9000, Secret("from-file"))
    monkeypatch.setenv("DUBAN_HTTP_PORT", "9001")
    settings = read_settings()
    assert settings.http_port == 9001
    assert "from-file" not in repr(settings)
    assert Settings().http_port == 8080
