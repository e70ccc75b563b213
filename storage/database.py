"""The ledger database: its engine and session factory, migrated on connect (and on a SQLite
file, a plain read-only engine beside it for statements alone: `Database.read_alone`)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeGuard, TypeVarTuple

import orjson
from sqlalchemy import Integer, cast, create_engine, event, literal_column, null, text, union_all
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, Result, Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import ColumnElement, CompoundSelect, Executable, Select

from storage import urls
from storage.errors import DatabaseUnavailable
from storage.migrate import upgrade_head
from storage.private_files import private_sqlite_file

BUSY_TIMEOUT_MS = 30_000
_Ts = TypeVarTuple("_Ts")
# A select of any columns.
AnySelect = Select[*tuple[Any, ...]]
# Threads for reads alone on a SQLite file that found it busy: their own, so reads waiting on
# a locked file never hold up what shares asyncio's default pool (the HTTP clients' DNS
# lookups).
READ_THREADS = 4
# How long a read alone waits in line for a busy SQLite file before it goes to a thread.
QUICK_BUSY_TIMEOUT_MS = 20
CONNECT_TIMEOUT_S = 10
READONLY = "duban_readonly"
ALONE = "duban_alone"
MIGRATING = "duban_migrating"


class Database:
    """Owns the engines and the session factory; make one with `await Database.connect(url)`."""

    def __init__(self, engine: AsyncEngine, url: str, file_reads: FileReads | None = None) -> None:
        self.engine = engine
        self.url = url
        self._file_reads = file_reads
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # Connections for a statement alone (`read_alone`): no transaction of ours.
        alone = (
            {READONLY: True, ALONE: True}
            if engine.dialect.name == "sqlite"
            else {"isolation_level": "AUTOCOMMIT"}
        )
        self._alone = engine.execution_options(**alone)

    @property
    def dialect(self) -> str:
        """Return "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @classmethod
    async def connect(cls, url: str, *, migrate: bool = True) -> Database:
        """Open the database at `url` (as people write it) and bring its schema up to date."""
        shown = urls.redact(url)
        parsed = urls.parse(url)
        engine = _make_engine(parsed, shown)
        db = cls(engine, shown, FileReads.of(parsed))
        try:
            async with engine.connect() as plain:
                conn = await plain.execution_options(**{MIGRATING: migrate})
                async with conn.begin():
                    await conn.execute(text("SELECT 1"))
                    if migrate:
                        await conn.run_sync(_upgrade)
            if migrate and engine.dialect.name == "sqlite":
                # That connection ran with foreign keys off (see _on_begin): never reuse it.
                await engine.dispose()
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            await engine.dispose()
            raise DatabaseUnavailable(shown, _reason(exc)) from exc
        except TypeError as exc:  # the driver refuses an option of the URL (`?foo=1`)
            await engine.dispose()
            raise DatabaseUnavailable(shown, f"unsupported URL option: {exc}") from exc
        return db

    @asynccontextmanager
    async def session(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """Yield a session in a transaction; commit when the block ends, roll back on error.

        On SQLite a session takes the write lock when it begins (see `_on_begin`), so do not
        open a second session inside one; pass `readonly=True` for sessions that only read
        (they never wait for writers).
        """
        async with self._sessions() as session:
            if readonly and self.dialect == "sqlite":
                await session.connection(execution_options={READONLY: True})
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    async def read_alone(
        self, statement: Executable, params: Mapping[str, Any]
    ) -> Sequence[Row[*tuple[Any, ...]]]:
        """Run one statement that only reads, outside any transaction of ours; return its rows.

        One statement reads one snapshot on either database, so it needs no BEGIN and COMMIT
        around it: on SQLite each costs as many trips to the driver's thread as the read
        itself, on PostgreSQL a round trip each.

        On a SQLite file the read is `FileReads.read`: in line, on a plain engine of its own.
        """
        if self._file_reads is not None:
            return await self._file_reads.read(statement, params)
        async with self._alone.connect() as conn:
            return (await conn.execute(statement, params)).all()

    async def close(self) -> None:
        """Close every connection (reads alone under way finish first)."""
        await self.engine.dispose()
        if self._file_reads is not None:
            # In a thread: the last connection to a SQLite file checkpoints its WAL.
            await asyncio.to_thread(self._file_reads.close)


class FileReads:
    """Statements alone on a SQLite file (`Database.read_alone`), on plain engines beside the
    async one: they only read (query_only), each statement its own snapshot (no BEGIN), and
    never make the file (a ledger gone is an error, not a new empty file).

    A read runs in line: a unit's or a task's status is well under a millisecond of reading
    (15 ms over a million entries), and in a worker thread its Python half would hold the GIL
    all the same, while the hand-offs to the thread and back cost a busy loop more than the
    read (uncached `/status`, `benchmarks/bench_bot.py`: 0.49 of the echo bot through a
    thread, 0.86 in line). A file that stays busy past `QUICK_BUSY_TIMEOUT_MS` (in WAL mode,
    rare: a writer holding it exclusively) sends the read to a worker thread, which waits as
    long as any other reader would, so the loop never stalls on a lock.
    """

    def __init__(self, path: Path) -> None:
        self._quick = _file_reader(path, QUICK_BUSY_TIMEOUT_MS, 1)
        self._waiting = _file_reader(path, BUSY_TIMEOUT_MS, READ_THREADS)
        self._threads = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ledger-read")

    @classmethod
    def of(cls, url: URL) -> FileReads | None:
        """Return the reads of the URL's SQLite file; None for PostgreSQL and in-memory."""
        database = url.database
        if url.get_backend_name() != "sqlite" or not _on_disk(database):
            return None
        return cls(Path(database).expanduser().resolve())

    async def read(
        self, statement: Executable, params: Mapping[str, Any]
    ) -> Sequence[Row[*tuple[Any, ...]]]:
        """Run the statement in line; in a worker thread if the file is busy."""
        try:
            return _read(self._quick, statement, params)
        except sa_exc.OperationalError as exc:
            if not _busy(exc):
                raise
        read = partial(_read, self._waiting, statement, params)
        return await asyncio.get_running_loop().run_in_executor(self._threads, read)

    def close(self) -> None:
        """Let reads under way finish, then close the connections (blocking)."""
        self._threads.shutdown(wait=True)
        self._quick.dispose()
        self._waiting.dispose()


def _busy(exc: sa_exc.OperationalError) -> bool:
    """Tell whether SQLite refused because the file is locked (SQLITE_BUSY and its kinds)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _read(
    reader: Engine, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Row[*tuple[Any, ...]]]:
    with reader.connect() as conn:
        return conn.execute(statement, params).all()


async def plain_rows(session: AsyncSession, query: Select[*_Ts]) -> Result[*_Ts]:
    """Run a query of columns on the session's connection, in its transaction.

    The rows come back as Core rows, without the ORM's per-row step: a board page reads
    tens of thousands of rows, where that step costs milliseconds per query.
    """
    return await (await session.connection()).execute(query)


class Together:
    """Several selects run as one statement: one round trip to the database, not one each.

    The parts go as one UNION ALL: each row carries its part's number, and a part's columns
    sit in slots of their type that parts share (a part's row has NULL in the slots it does
    not use). Rows come back in no particular order, so a part whose reader needs an order
    selects what to sort by; a part may not have a LIMIT (put it in a subquery). Build it
    once with `bindparam()`s and run it with their values: a statement built once is also
    keyed and compiled once, where building it again on every read costs more than the read.
    """

    def __init__(self, *parts: AnySelect) -> None:
        slots: list[ColumnElement[Any]] = []  # the first part's column of each slot's type
        places: list[list[int]] = []
        for part in parts:
            taken: list[int] = []
            for column in part.selected_columns:
                kind = type(column.type)
                free = (i for i, s in enumerate(slots) if type(s.type) is kind and i not in taken)
                slot = next(free, None)
                if slot is None:
                    slot = len(slots)
                    slots.append(column)
                taken.append(slot)
            places.append(taken)
        branches = []
        for number, (part, taken) in enumerate(zip(parts, places, strict=True)):
            mine = dict(zip(taken, part.selected_columns, strict=True))
            columns = [mine.get(i, cast(null(), s.type)) for i, s in enumerate(slots)]
            tag = literal_column(str(number), Integer)
            branches.append(part.order_by(None).with_only_columns(tag, *columns))
        self.statement: CompoundSelect[*tuple[Any, ...]] = union_all(*branches)
        # A part's columns out of a row (after its number): a tuple even for one column.
        self._readers = [
            itemgetter(*(i + 1 for i in taken)) if len(taken) > 1 else _one(taken[0] + 1)
            for taken in places
        ]

    async def run(
        self, session: AsyncSession, params: Mapping[str, Any]
    ) -> list[list[tuple[Any, ...]]]:
        """Run the parts in the session's transaction; return each part's rows (as tuples of
        its own columns, in no particular order)."""
        return self.split(await (await session.connection()).execute(self.statement, params))

    async def run_alone(
        self, db: Database, params: Mapping[str, Any]
    ) -> list[list[tuple[Any, ...]]]:
        """Run the parts outside any transaction (`Database.read_alone`); return each part's
        rows as `run` does."""
        return self.split(await db.read_alone(self.statement, params))

    def split(self, rows: Iterable[Sequence[Any]]) -> list[list[tuple[Any, ...]]]:
        """Return the statement's rows as each part's rows."""
        readers = self._readers
        found: list[list[tuple[Any, ...]]] = [[] for _ in readers]
        for row in rows:
            found[row[0]].append(readers[row[0]](row))
        return found


def _one(index: int) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    def read(row: Sequence[Any]) -> tuple[Any, ...]:
        return (row[index],)

    return read


def _make_engine(url: URL, shown: str) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url, shown)
        engine = create_async_engine(
            url, json_serializer=_json, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _sqlite_events(engine)
        return engine
    return create_async_engine(
        url,
        json_serializer=_json,
        pool_pre_ping=True,
        connect_args={"timeout": CONNECT_TIMEOUT_S},
    )


def _json(value: Any) -> str:
    """JSON as stored (a message's payload): compact, Chinese as itself, not as \\u escapes,
    which double its size (a 100x busy day's prompt payloads: 140-340 KB each, escaped); the
    same text as `json.dumps(value, ensure_ascii=False, separators=(",", ":"))`, in a
    quarter of the time."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _file_reader(path: Path, busy_timeout_ms: int, connections: int) -> Engine:
    """Return a plain engine of `connections` reading the SQLite file at `path`."""
    # Named parameters: a status read names its instant in each of its parts, and the
    # instant is converted once, not once per place it appears.
    reader = create_engine(
        "sqlite+pysqlite://",
        creator=partial(open_existing, path, busy_timeout_ms),
        poolclass=QueuePool,
        pool_size=connections,
        paramstyle="named",
    )

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: a statement is a snapshot
        _pragmas(dbapi_connection, "query_only=ON")

    return reader


def open_existing(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open a SQLite file that exists, for reading and writing (mode=rw: never created), any
    thread may use, waiting `busy_timeout_ms` for a locked file."""
    return sqlite3.connect(
        f"{path.expanduser().resolve().as_uri()}?mode=rw",
        uri=True,
        timeout=busy_timeout_ms / 1000,
        check_same_thread=False,
    )


def _pragmas(dbapi_connection: Any, *settings: str) -> None:
    """Set a new SQLite connection's pragmas."""
    cursor = dbapi_connection.cursor()
    for setting in settings:
        cursor.execute(f"PRAGMA {setting}")
    cursor.close()


def _on_disk(database: str | None) -> TypeGuard[str]:
    """Return whether the URL's database is a file SQLite opens by its path."""
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def _prepare_sqlite_file(url: URL, shown: str) -> None:
    # The ledger is the bureau's record: made 0600 before SQLite opens it (the WAL and shm
    # files take its mode), and an older world-readable one is made private.
    database = url.database
    if not _on_disk(database):
        return
    try:
        private_sqlite_file(Path(database).expanduser())
    except OSError as exc:
        raise DatabaseUnavailable(shown, exc.strerror or str(exc)) from exc


def _sqlite_events(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        _pragmas(
            dbapi_connection,
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        )

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(MIGRATING):
            # SQLite's way to change a table that others reference: foreign keys off, the
            # change in one transaction, then a foreign_key_check before commit (_upgrade).
            # The pragma only takes effect outside a transaction, so it goes first.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        options = conn.get_execution_options()
        if options.get(READONLY):
            if not options.get(ALONE):  # one statement alone is its own snapshot
                conn.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front: a transaction that reads and then
        # writes can never fail half-way with "database is locked" (SQLITE_BUSY_SNAPSHOT).
        # Writers queue on busy_timeout; SQLite serves one office, PostgreSQL scales.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _upgrade(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Two processes starting at once must not both create the tables.
        conn.execute(text("SELECT pg_advisory_xact_lock(74201)"))
    upgrade_head(conn)
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} broken references")


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()
    return message[0] if message else type(orig).__name__


def reason(exc: BaseException) -> str:
    """Return the first line of what the driver said about an error (no SQL, no URL)."""
    if isinstance(exc, DatabaseUnavailable):
        return exc.reason
    return _reason(exc)


# SQLSTATE classes that mean "the server cannot be talked to now": 08 connection exception,
# 57P operator intervention (terminated, shutting down, starting up), 53 insufficient resources.
_UNREACHABLE_STATES = ("08", "57P", "53")
_UNREACHABLE_TYPES: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # no connection free in the pool in time
    sqlite3.OperationalError,  # locked, disk I/O, cannot open
    OSError,  # connection refused or reset, DNS, a connect timeout
)


def unreachable(exc: BaseException) -> bool:
    """Return whether an error means the ledger cannot be reached right now (a connection
    cut, the server restarting, the file locked) rather than a bug or a refused statement.

    Every layer that outlives a database outage asks this one question (the sender, the
    service, the dialogue), so an outage is told apart from a bug in one place.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNREACHABLE_TYPES) or _asyncpg_connection_error(current):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNREACHABLE_STATES):
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def _asyncpg_connection_error(exc: BaseException) -> bool:
    """Return whether asyncpg raised it about its connection (not about a statement)."""
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is None:
        return False
    kinds = (asyncpg.exceptions.InterfaceError, asyncpg.exceptions.PostgresConnectionError)
    return isinstance(exc, kinds)
