"""Cut the ledger's connection under chosen statements, as a database outage does.

`DatabaseFaults(db).fail(lambda sql: "UPDATE outbox" in sql, times=2)` makes the next two
matching statements raise `OperationalError` ("connection was closed"), as asyncpg does when
the server terminates a backend or restarts; the session rolls back as it would then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.database import Database


@dataclass
class _Rule:
    matches: Callable[[str], bool]
    remaining: int
    bug: bool = False


class DatabaseFaults:
    """Scripted connection failures on one Database's engine."""

    def __init__(self, db: Database) -> None:
        self._rules: list[_Rule] = []
        self.raised = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._before)

    def fail(self, matches: Callable[[str], bool], times: int = 1, bug: bool = False) -> None:
        """Make the next `times` statements for which `matches(sql)` holds fail (as a cut
        connection, or with `bug` as a statement the database refuses)."""
        self._rules.append(_Rule(matches, times, bug))

    def down(self, times: int = 1_000_000) -> None:
        """Make every statement fail (the server is gone) until `up()`."""
        self.fail(lambda _sql: True, times)

    def up(self) -> None:
        """Forget every armed failure."""
        self._rules.clear()

    def _before(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        for rule in self._rules:
            if rule.remaining > 0 and rule.matches(statement):
                rule.remaining -= 1
                self.raised += 1
                if rule.bug:
                    raise IntegrityError(statement, params, ValueError("a refused statement"))
                raise OperationalError(
                    statement, params, ConnectionError("connection was closed in the middle")
                )


def marks_sent(sql: str) -> bool:
    """Return whether a statement records a delivery."""
    return sql.startswith("UPDATE outbox") and "sent_at" in sql.split("WHERE")[0]


def marks_retry(sql: str) -> bool:
    """Return whether a statement records a failed attempt to retry later."""
    head = sql.split("WHERE")[0]
    return sql.startswith("UPDATE outbox") and "last_error" in head and "next_attempt_at" in head
