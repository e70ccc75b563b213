"""Turn `parse_mode` text into plain text plus entities, refusing what Telegram refuses."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from emulator.errors import bad_request
from emulator.model import utf16_len

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


class _TelegramHtml(HTMLParser):
    """Parse the HTML subset Telegram accepts; anything else is an error like Telegram's."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self.open: list[tuple[str, dict[str, Any]]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        entity: dict[str, Any]
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
        elif tag == "a" and attributes.get("href"):
            entity = {"type": "text_link", "url": attributes["href"]}
        elif tag == "span" and attributes.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        else:
            self._fail(f'Unsupported start tag "{tag}"')
            return
        entity["offset"] = utf16_len(self.text)
        self.open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self._fail(f'Unexpected end tag "{tag}"')
            return
        _, entity = self.open.pop()
        entity["length"] = utf16_len(self.text) - entity["offset"]
        if entity["length"] > 0:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            # Telegram wants every literal "<" escaped; html.parser would let it through.
            name = data[data.index("<") + 1 :].split(">", 1)[0].split()[0:1]
            self._fail(f'Unsupported start tag "{name[0] if name else ""}"')
        self.text += data

    def handle_entityref(self, name: str) -> None:
        self.text += html.unescape(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.text += html.unescape(f"&#{name};")

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities Telegram would store for `text` in `parse_mode`."""
    if not parse_mode or parse_mode.lower() != "html":
        # Markdown modes are passed through unparsed: the bot under test formats with HTML.
        return text, []
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1][0]}"'
    if parser.error is not None:
        raise bad_request(f"can't parse entities: {parser.error}")
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return parser.text, entities
