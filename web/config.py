"""What the board needs from its settings, as one plain value (the CLI builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from core.board import login_url
from storage.status import StatusRules

DEFAULT_LINK_HOURS = 24
DEFAULT_SESSION_DAYS = 7


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Settings of the web board.

    - public_url: the base URL people open (login links are made from it); https there
      makes the session cookie Secure even behind a TLS-terminating proxy.
    - link_ttl: how long a login link stays valid; session_ttl: how long a session lasts.
    - templates_dir: a folder of .docx templates that override the shipped ones.
    - evidence_dir: the folder evidence files are kept in (None: none on this server).
    - refresh_seconds: the bureau page reloads itself this often (a wall screen), 0 = never.
    """

    public_url: str = "http://127.0.0.1:8080"
    link_ttl: timedelta = timedelta(hours=DEFAULT_LINK_HOURS)
    session_ttl: timedelta = timedelta(days=DEFAULT_SESSION_DAYS)
    templates_dir: Path | None = None
    evidence_dir: Path | None = None
    refresh_seconds: int = 300
    # What the lights weigh (the policy's settings), as /status and the digest read them.
    rules: StatusRules = field(default_factory=StatusRules)

    @property
    def secure_cookies(self) -> bool:
        """Return whether the board is published over HTTPS."""
        return self.public_url.lower().startswith("https://")

    def login_url(self, token: str) -> str:
        """Return the URL that opens the board with a login link's token."""
        return login_url(self.public_url, token)
