"""Outages as an operator reads them: one WARNING when one starts, one INFO when it ends, and
the retries in between at DEBUG; never a traceback for what is not a bug.

The running service keeps one `Outage` for the ledger (shared by the scheduler pass and the
sender); a channel adapter keeps one for its API.
"""

from __future__ import annotations

import logging
import time

from storage.database import reason


class Outage:
    """Whether something the service needs (the ledger, a chat API) is failing, and since when."""

    def __init__(self, what: str, log: logging.Logger, after: int = 1) -> None:
        self._what = what
        self._log = log
        # Failures in a row that make an outage (1: the first; more: a lost call is no outage).
        self._after = after
        self._since: float | None = None
        self._failures = 0

    @property
    def down(self) -> bool:
        """Return whether an outage is under way."""
        return self._since is not None

    def failed(self, exc: BaseException, doing: str = "") -> None:
        """Note a failure: a WARNING if it starts an outage, DEBUG while one goes on."""
        self._failures += 1
        why = reason(exc)
        during = f" ({doing})" if doing else ""
        if self._since is None and self._failures >= self._after:
            self._since = time.monotonic()
            self._log.warning("%s unreachable%s: %s; retrying", self._what, during, why)
        else:
            self._log.debug("%s unreachable%s: %s", self._what, during, why)

    def ok(self) -> None:
        """Note a success: one INFO line if it ends an outage."""
        if self._since is None:
            self._failures = 0
            return
        lasted = time.monotonic() - self._since
        self._log.info(
            "%s reachable again after %.0f s (%d failed attempt(s))",
            self._what,
            lasted,
            self._failures,
        )
        self._since = None
        self._failures = 0
