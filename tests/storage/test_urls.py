"""Database URLs as people write them."""

from __future__ import annotations

import pytest

from storage.errors import DatabaseUnavailable
from storage.urls import redact, to_async


@pytest.mark.parametrize(
    ("typed", "driver_url"),
    [
        ("sqlite:///duban.db", "sqlite+aiosqlite:///duban.db"),
        ("sqlite:////var/lib/duban/duban.db", "sqlite+aiosqlite:////var/lib/duban/duban.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u:pw@h/db", "postgresql+asyncpg://u:pw@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u@h/db?sslmode=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_urls_map_to_async_drivers(typed: str, driver_url: str) -> None:
    assert to_async(typed) == driver_url


def test_redact_hides_the_password() -> None:
    assert (
        redact("postgresql://duban:s3cret@db:5432/duban") == "postgresql://duban:***@db:5432/duban"
    )


def test_redact_hides_a_password_given_as_a_query_option() -> None:
    assert redact("postgresql://u@db/duban?password=s3cret") == "postgresql://u@db/duban?password=***"


@pytest.mark.parametrize("url", ["postgresql://u:pw@h:notaport/d", "postgresql://u:pw@[::1/d"])
def test_a_malformed_url_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="not a database URL") as caught:
        to_async(url)
    assert "pw" not in str(caught.value)


def test_unsupported_database_is_refused_without_password() -> None:
    with pytest.raises(DatabaseUnavailable, match=r"mysql://u:\*\*\*@h/d") as caught:
        to_async("mysql://u:pw@h/d")
    assert "pw" not in str(caught.value)
