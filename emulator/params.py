"""Read Bot API parameters from a query string, a form, a multipart body or a JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from emulator.errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file uploaded with a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """The parameters of one call; nested objects may be JSON strings (form) or JSON values."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def has(self, name: str) -> bool:
        """Tell whether the parameter was given."""
        return name in self.values or name in self.uploads

    def text(self, name: str) -> str | None:
        """Return a string parameter, or None when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        """Return an integer parameter, or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        """Return a numeric parameter, or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """Return a boolean parameter (absent means false)."""
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).lower() in {"true", "1"}

    def obj(self, name: str) -> Any:
        """Return a JSON-serialised parameter decoded (object or array), or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


async def read_params(request: web.Request) -> Params:
    """Collect the parameters of a Bot API request the way Telegram accepts them."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        raw = await request.read()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, str):
                values[name] = value
            elif isinstance(value, bytes | bytearray):
                values[name] = bytes(value).decode()
            else:
                uploads[name] = Upload(
                    # Most aiohttp clients percent-encode non-ASCII names; httpx and
                    # duban's transport (quote_fields off) send them as UTF-8.
                    filename=unquote(value.filename),
                    content_type=value.content_type,
                    data=value.file.read(),
                )
    return Params(values, uploads)
