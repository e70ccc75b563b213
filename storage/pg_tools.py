"""pg_dump and pg_restore for the PostgreSQL ledger, and a scratch database to check a dump in.

The tools read libpq URLs (`postgresql://user@host:5432/db?sslmode=…`); the password never
goes on a command line (other users see those in `ps`): it is handed over in PGPASSWORD.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from storage.database import Database
from storage.errors import BackupFailed, ToolMissing
from storage.private_files import make_private


def pg_dump_command(url: str, file: Path) -> list[str]:
    """Return the pg_dump command that backs up `url` into `file` (no password in it)."""
    return ["pg_dump", "--format=custom", "--file", str(file), libpq_url(url)]


def pg_restore_command(url: str, file: Path, *, clean: bool = False) -> list[str]:
    """Return the pg_restore command that loads `file` into `url` (no password in it)."""
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
    command += ["--clean", "--if-exists"] if clean else []
    return [*command, "--dbname", libpq_url(url), str(file)]


def require(tool: str, command: list[str]) -> None:
    """Raise ToolMissing (with the command to run by hand) if `tool` is not on PATH."""
    if shutil.which(tool) is None:
        raise ToolMissing(tool, shlex.join(command))


def dump(url: str, target: Path) -> None:
    """Run pg_dump into `target` (0600), written beside it first and then renamed."""
    require("pg_dump", pg_dump_command(url, target))
    part = target.with_name(f".{target.name}.part")
    try:
        run(pg_dump_command(url, part), url)
        make_private(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def load(url: str, file: Path, *, clean: bool) -> None:
    """Run pg_restore of `file` into `url` in one transaction (clean: drop what it replaces)."""
    run(pg_restore_command(url, file, clean=clean), url)


async def holds_tables(db: Database) -> bool:
    """Return whether the database's current schema has any table at all."""
    async with db.engine.connect() as conn:
        count = await conn.scalar(
            text(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        )
    return bool(count)


@asynccontextmanager
async def scratch_database(db: Database, url: str) -> AsyncIterator[str]:
    """Yield the URL of a new empty database on the same server; drop it afterwards."""
    name = f"duban_restore_{secrets.token_hex(6)}"
    scratch = _parsed(url).set(database=name).render_as_string(hide_password=False)
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            # A generated identifier: CREATE DATABASE takes no bound parameters.
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        except DBAPIError as exc:
            raise BackupFailed(
                f"cannot create a scratch database to check the dump in ({exc.orig});"
                " the user needs CREATEDB"
            ) from exc
        try:
            yield scratch
        finally:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def libpq_url(url: str) -> str:
    """Return the URL as libpq reads it: no driver name, no password, `sslmode`."""
    parsed = _parsed(url)
    return URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query={k: v for k, v in parsed.query.items() if k != "password"},
    ).render_as_string(hide_password=False)


def run(command: list[str], url: str) -> None:
    """Run a PostgreSQL client tool with the URL's password in PGPASSWORD; raise on failure."""
    parsed = _parsed(url)
    password = parsed.password or parsed.query.get("password")
    env = dict(os.environ)
    if isinstance(password, str):
        env["PGPASSWORD"] = password
    # umask: pg_dump creates its file with the process umask; a backup is the owner's only.
    done = subprocess.run(  # noqa: S603 (a fixed tool with arguments we built)
        command, env=env, umask=0o077, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupFailed(f"{command[0]} failed: {reason}")


def _parsed(url: str) -> URL:
    parsed = make_url(url).set(drivername="postgresql")
    if "ssl" in parsed.query and "sslmode" not in parsed.query:  # asyncpg's spelling
        parsed = parsed.difference_update_query(["ssl"]).update_query_dict(
            {"sslmode": parsed.query["ssl"]}
        )
    return parsed
