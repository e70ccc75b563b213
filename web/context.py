"""What every board handler reads: the database, the clock, settings and the page renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.evidence import EvidenceStore
from scheduler.clock import Clock
from storage.database import Database
from web.cache import ViewCache
from web.config import WebConfig

if TYPE_CHECKING:
    import jinja2

    from web.views import BureauView

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_environment() -> jinja2.Environment:
    """Return the Jinja2 environment for the board's HTML templates (auto-escaped)."""
    import jinja2  # loaded with the first page: an idle `duban run` does not carry it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Board:
    """The board's shared resources; owned by whoever built the application."""

    db: Database
    clock: Clock
    tz: ZoneInfo
    config: WebConfig
    bureau_cache: ViewCache[BureauView] = field(default_factory=ViewCache)

    @cached_property
    def env(self) -> jinja2.Environment:
        """Return the page renderer, made on first use."""
        return make_environment()

    @property
    def evidence(self) -> EvidenceStore | None:
        """Return the evidence store the board reads (None: no files on this server)."""
        folder = self.config.evidence_dir
        return None if folder is None else EvidenceStore(folder)

    def render(self, template: str, status: int = 200, **values: Any) -> web.Response:
        """Return a template rendered as an HTML response."""
        text = self.env.get_template(template).render(**values)
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


BOARD = web.AppKey("duban_board", Board)
