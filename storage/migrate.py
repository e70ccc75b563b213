"""Alembic, configured in code: upgrade a connection's schema to the newest revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Return the Alembic configuration, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_head(connection: Connection) -> None:
    """Apply every pending migration on this (sync) connection."""
    command.upgrade(alembic_config(connection), "head")
