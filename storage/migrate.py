"""Alembic, configured in code: upgrade a connection's schema to the newest revision.

Alembic (and Mako under it) costs the process a few tenths of a second and ~10 MB to import,
so a ledger already at the newest revision is recognised without it: the revision stamped in
`alembic_version` is compared with the head read from the migration files' text. A ledger
with no table at all is built from the models in one go (tables, indexes, the append-only
triggers) and stamped at that head, which is what the migrations build step by step
(tests/storage/test_schema.py checks both ways give the same schema). Anything else (an older
revision, a file that cannot be read that way) runs the real `alembic upgrade head`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection

from storage.append_only import APPEND_ONLY_TABLES, append_only_ddl
from storage.compression import compress_payloads

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(connection: Connection | None = None) -> Config:
    """Return the Alembic configuration, optionally bound to an open connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision(versions: Path = VERSIONS) -> str | None:
    """Return the single head revision of the migration files, read as text; None if the
    files do not say it plainly (no single head, an unreadable line): then ask Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.findall(source)
        down = _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        parents.update(_QUOTED.findall(down[0]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stamped_revisions(connection: Connection) -> set[str] | None:
    """Return the revisions stamped in the ledger, or None if it has no version table."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return {str(row[0]) for row in rows}


@functools.cache
def _shipped_head() -> str | None:
    return head_revision(VERSIONS)


def at_head(connection: Connection) -> bool:
    """Return whether the ledger is stamped with exactly the migration files' head."""
    head = _shipped_head()
    return head is not None and stamped_revisions(connection) == {head}


def upgrade_head(connection: Connection) -> None:
    """Apply every pending migration on this (sync) connection; none, cheaply, if at head."""
    if at_head(connection):
        return
    head = _shipped_head()
    if head is not None and not inspect(connection).get_table_names():
        create_at_head(connection, head)
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def create_at_head(connection: Connection, head: str) -> None:
    """Build an empty ledger's schema from the models and stamp it at `head`."""
    from storage.models import Base

    Base.metadata.create_all(connection)
    for table in APPEND_ONLY_TABLES:
        for statement in append_only_ddl(connection.dialect.name, table):
            connection.exec_driver_sql(statement)
    compress_payloads(connection)
    version = Table(
        VERSION_TABLE,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=head))
