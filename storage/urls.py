"""Database URLs as people write them, mapped to the async drivers."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import DatabaseUnavailable

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse(url: str) -> URL:
    """Return the URL with an async driver (`sqlite:///x.db` → `sqlite+aiosqlite:///x.db`)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseUnavailable(redact(url), "not a database URL") from exc
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise DatabaseUnavailable(redact(url), f"unsupported database '{parsed.drivername}'")
    if driver.startswith("postgresql") and "sslmode" in parsed.query:
        # People copy libpq URLs (`?sslmode=require`); asyncpg calls the same option `ssl`.
        sslmode = parsed.query["sslmode"]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": sslmode})
    return parsed.set(drivername=driver)


def to_async(url: str) -> str:
    """Return the URL text with an async driver, password kept."""
    return parse(url).render_as_string(hide_password=False)


def redact(url: str) -> str:
    """Return the URL with its password hidden, for messages and logs."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "<unreadable URL>"
    if "password" in parsed.query:  # `postgresql://u@h/db?password=…` is valid too
        parsed = parsed.update_query_dict({"password": "***"})
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
