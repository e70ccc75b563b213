"""On PostgreSQL, outbox payloads are compressed with lz4 rather than the default pglz.

A prompt's payload holds its text and items: on the busy day of a plan 100 times the seed,
nine rows of 650 KB in all. PostgreSQL compresses every value over 2 KB as it stores it;
pglz took 11 ms of that insert, lz4 3 ms, and lz4 also reads back faster (the sender loads
each payload it sends). Migration 0010 sets it on an existing ledger, `storage.migrate` on a
new one; a server older than 14, or built without lz4, keeps pglz.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError


def compress_payloads(connection: Connection, method: str = "lz4") -> None:
    """Store new outbox payloads with `method` ("lz4", or "default" for the server's own)."""
    version = connection.dialect.server_version_info or (0,)
    if connection.dialect.name != "postgresql" or version < (14,):
        return
    try:
        # In a savepoint: a server built without lz4 refuses, and the caller goes on.
        with connection.begin_nested():
            connection.exec_driver_sql(
                f"ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION {_checked(method)}"
            )
    except DBAPIError:
        if method != "lz4":
            raise


def _checked(method: str) -> str:
    if method not in ("lz4", "pglz", "default"):
        raise ValueError(f"not a compression method: {method!r}")
    return method
