"""Insert thousands of rows in one driver call (a busy day's outbox items, a plan's rows).

SQLAlchemy's executemany builds each row's parameters through the compiled statement, about
five microseconds a row: a third of the cost of inserting a busy day's 5,000 outbox items on
SQLite. Here the statement is compiled once per table, columns and dialect, each column's
own bind processor (the type's conversion, e.g. a date to SQLite's text) is applied, and the
rows go to the driver's executemany as plain tuples: the same SQL and the same stored values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

_Prepared = tuple[str, tuple[Callable[[Any], Any] | None, ...]]
_prepared: dict[tuple[str, tuple[str, ...], str], _Prepared] = {}


async def insert_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows (values in the order of `columns`) into a table in one executemany."""
    connection = await session.connection()
    sql, processors = _prepare(table, tuple(columns), connection.dialect)
    if any(processors):
        values = [
            tuple(_bound(p, v) for p, v in zip(processors, row, strict=True)) for row in rows
        ]
    else:
        values = [tuple(row) for row in rows]
    if values:
        await connection.exec_driver_sql(sql, values)


def _prepare(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _Prepared:
    key = (table.name, columns, dialect.name)
    found = _prepared.get(key)
    if found is None:
        statement = insert(table).values(dict.fromkeys(columns))
        sql = str(statement.compile(dialect=dialect))
        processors = tuple(table.c[name].type.bind_processor(dialect) for name in columns)
        found = _prepared[key] = (sql, processors)
    return found


def _bound(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if processor is None or value is None else processor(value)
