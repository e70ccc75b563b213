"""Lay an `OutgoingMessage` out as WeCom messages, and turn a card press back into a `Press`.

Limits (doc 90236 发送应用消息, 94888 更新模版卡片消息, 91770 群机器人): text ≤2,048 bytes and
app markdown ≤2,048 bytes (WeCom cuts longer text: we split at line breaks first); robot
markdown ≤4,096 bytes; a `button_interaction` card has main_title.title ≤36 characters, desc ≤44,
sub_title_text ≤160, ≤6 buttons of ≤10 characters with keys ≤1,024 bytes, one selection list of
≤10 options (text ≤16 characters, id ≤128 bytes), task_id ≤128 bytes of `[0-9A-Za-z_-@]`.

Layouts, in order of preference:

- **direct**: ≤6 buttons, each its own `Press.encode()` as the key (a one-item prompt's four
  statuses; 同意 / 不同意 of one extension request).
- **grid**: rows that share the same choices (a prompt's items × statuses): the items become
  the selection list (option id = the press target), the choices the buttons (key = the press
  of the page's first item); `press_from_event` puts the selected item back as the target.
  More than 10 items are paged into several cards.
- **menu**: anything else: every button is an option (id = `Press.encode()`), with one 确定
  button; also paged by 10.

Nothing is cut silently: when the title or the text does not fit a card, the full text goes
first as text messages and the card says so; an option or title that must be shortened ends in
"…" and its full wording is in that text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from bot.wecom.events import CardEvent
from core.buttons import Button, Press
from core.channel import OutgoingMessage

TEXT_MAX_BYTES: Final = 2048
MARKDOWN_MAX_BYTES: Final = 2048  # an app's markdown message (the robot's is 4,096)
ROBOT_MARKDOWN_MAX_BYTES: Final = 4096
TITLE_CHARS: Final = 36
SUB_TITLE_CHARS: Final = 160
BUTTON_CHARS: Final = 10
OPTION_CHARS: Final = 16
MAX_BUTTONS: Final = 6
MAX_OPTIONS: Final = 10
ITEM_QUESTION: Final = "item"
MENU_QUESTION: Final = "menu"
MENU_KEY: Final = "menu"
INERT_KEY: Final = "recorded"

# The card's own words (the dialogue's texts arrive in the OutgoingMessage).
SEE_TEXT_ABOVE: Final = "完整内容见上一条消息。"
CHOOSE_ITEM: Final = "请先在下方选择事项，再点选当前进展。"
CHOOSE_ITEM_ACTION: Final = "请先在下方选择事项，再点按钮。"
CHOOSE_OPTION: Final = "请在下方选择后点“确定”。"
ITEM_LIST_TITLE: Final = "事项"
MENU_LIST_TITLE: Final = "选择"
CONFIRM: Final = "确定"
RECORDED: Final = "已记录"
DEFAULT_TITLE: Final = "督办提醒"
ELLIPSIS: Final = "…"

Kind = Literal["text", "markdown", "template_card"]


@dataclass(frozen=True, slots=True)
class Outbound:
    """One WeCom message to send: text or markdown (a str) or a template card (a dict)."""

    kind: Kind
    content: str | dict[str, Any]


def new_task_id() -> str:
    """Return a fresh task_id (unique per app, as WeCom requires)."""
    return f"duban-{uuid.uuid4().hex}"


def fits_bytes(text: str, limit: int) -> bool:
    """Tell whether `text` is at most `limit` bytes in UTF-8."""
    return len(text.encode()) <= limit


def split_text(text: str, max_bytes: int) -> list[str]:
    """Split at line breaks into parts of at most `max_bytes` bytes, losing nothing.

    A single line longer than the limit is split between characters (never inside one).
    """
    parts: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        candidate = line if current is None else f"{current}\n{line}"
        if fits_bytes(candidate, max_bytes):
            current = candidate
            continue
        if current is not None:
            parts.append(current)
        while not fits_bytes(line, max_bytes):
            cut = _fitting_chars(line, max_bytes)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current is not None:
        parts.append(current)
    return [part for part in parts if part.strip()]


def _fitting_chars(text: str, max_bytes: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode())
        if used > max_bytes:
            return max(index, 1)
    return len(text)


def shorten(text: str, chars: int) -> str:
    """Return `text` if it fits `chars` characters, else its start ending in "…"."""
    return text if len(text) <= chars else text[: chars - 1] + ELLIPSIS


def _common_suffix(labels: Sequence[str]) -> str:
    if not labels:
        return ""
    suffix = labels[0]
    for label in labels[1:]:
        while not label.endswith(suffix):
            suffix = suffix[1:]
    return suffix


@dataclass(frozen=True, slots=True)
class _Page:
    """One card's interactive part."""

    buttons: tuple[tuple[str, str], ...]  # (text, key)
    question: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (id, text)
    hint: str | None = None


def _direct(buttons: list[Button]) -> list[_Page] | None:
    keys = [button.press.encode() for button in buttons]
    if len(buttons) > MAX_BUTTONS or len(set(keys)) != len(keys):
        return None
    if any(len(button.label) > BUTTON_CHARS for button in buttons):
        return None
    return [_Page(tuple((b.label, key) for b, key in zip(buttons, keys, strict=True)))]


def _grid(rows: list[tuple[Button, ...]], text: str) -> list[_Page] | None:
    groups: dict[int, list[Button]] = {}
    for row in rows:
        for button in row:
            groups.setdefault(button.press.target, []).append(button)
    if len(groups) < 2:
        return None
    signatures = {
        tuple((b.press.kind, b.press.choice, b.press.extra) for b in group)
        for group in groups.values()
    }
    if len(signatures) != 1:
        return None
    (signature,) = signatures
    if len(signature) > MAX_BUTTONS or len(set(signature)) != len(signature):
        return None
    members = list(groups.values())
    labels = []
    for index in range(len(signature)):
        suffix = _common_suffix([group[index].label for group in members]).strip()
        label = suffix or members[-1][index].label
        if len(label) > BUTTON_CHARS:
            return None
        labels.append(label)
    first_suffix = _common_suffix([group[0].label for group in members]).strip()
    options = []
    for number, (target, group) in enumerate(groups.items(), start=1):
        name = group[0].label.removesuffix(first_suffix).strip() if first_suffix else ""
        options.append((str(target), _option_text(name, text, number)))
    # A prompt's buttons record progress; others (通过 / 退回, 催办) act on the chosen item.
    hint = CHOOSE_ITEM if signature[0][0] == "answer" else CHOOSE_ITEM_ACTION
    pages = []
    for start in range(0, len(options), MAX_OPTIONS):
        page = options[start : start + MAX_OPTIONS]
        first = members[start][0].press
        keys = [
            Press(kind, first.target, choice, extra).encode() for kind, choice, extra in signature
        ]
        pages.append(
            _Page(
                tuple(zip(labels, keys, strict=True)),
                ITEM_QUESTION,
                tuple(page),
                hint,
            )
        )
    return pages


def _option_text(name: str, text: str, number: int) -> str:
    """Return an item's option text: its line in the message ("2.3 创新…"), else its name."""
    if name:
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped == name or stripped.startswith(name + " "):
                return shorten(stripped, OPTION_CHARS)
        return shorten(name, OPTION_CHARS)
    return f"第{number}项"


def _menu(buttons: list[Button]) -> list[_Page]:
    options = []
    seen = set()
    for button in buttons:
        key = button.press.encode()
        if key not in seen:
            seen.add(key)
            options.append((key, shorten(button.label, OPTION_CHARS)))
    return [
        _Page(((CONFIRM, MENU_KEY),), MENU_QUESTION, tuple(options[i : i + MAX_OPTIONS]), None)
        for i in range(0, len(options), MAX_OPTIONS)
    ] or [_Page(((CONFIRM, MENU_KEY),), MENU_QUESTION, (), None)]


def pages_of(message: OutgoingMessage) -> list[_Page]:
    """Return the interactive parts of the cards for a message's buttons (direct/grid/menu)."""
    rows = [row for row in message.buttons if row]
    buttons = [button for row in rows for button in row]
    return _direct(buttons) or _grid(rows, message.text) or _menu(buttons)


def _card(
    task_id: str, title: str, body: str | None, page: _Page, page_label: str | None
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "task_id": task_id,
        "main_title": {"title": title},
        "button_list": [{"text": text, "style": 1, "key": key} for text, key in page.buttons],
    }
    if page_label:
        card["main_title"]["desc"] = page_label
    if body:
        card["sub_title_text"] = body
    if page.question is not None and page.options:
        card["button_selection"] = {
            "question_key": page.question,
            "title": ITEM_LIST_TITLE if page.question == ITEM_QUESTION else MENU_LIST_TITLE,
            "option_list": [{"id": oid, "text": text} for oid, text in page.options],
            "selected_id": page.options[0][0],
        }
    return card


def _texts(message: OutgoingMessage) -> list[Outbound]:
    full = f"{message.title}\n\n{message.text}" if message.title else message.text
    if message.markdown:
        if message.title:
            full = f"**{message.title}**\n\n{message.text}"
        return [Outbound("markdown", part) for part in split_text(full, MARKDOWN_MAX_BYTES)]
    return [Outbound("text", part) for part in split_text(full, TEXT_MAX_BYTES)]


def plan_message(
    message: OutgoingMessage, task_ids: Callable[[], str] = new_task_id
) -> list[Outbound]:
    """Return the WeCom messages for `message`, in sending order; nothing is cut silently."""
    if not any(message.buttons):
        return _texts(message)
    pages = pages_of(message)
    title_text, body = _title_and_body(message, DEFAULT_TITLE)
    fits = (
        len(pages) == 1
        and len(title_text) <= TITLE_CHARS
        and len(body) + len("\n" + (pages[0].hint or "")) <= SUB_TITLE_CHARS
    )
    out: list[Outbound] = []
    if fits:
        hint = pages[0].hint
        text = "\n".join(part for part in (body, hint) if part) or None
        out.append(Outbound("template_card", _card(task_ids(), title_text, text, pages[0], None)))
        return out
    out.extend(Outbound("text", part) for part in split_text(_full_text(message), TEXT_MAX_BYTES))
    title = shorten(title_text, TITLE_CHARS)
    for number, page in enumerate(pages, start=1):
        label = f"第{number}/{len(pages)}页" if len(pages) > 1 else None
        hint = "\n".join(part for part in (SEE_TEXT_ABOVE, page.hint) if part)
        out.append(Outbound("template_card", _card(task_ids(), title, hint, page, label)))
    return out


def _title_and_body(message: OutgoingMessage, default: str) -> tuple[str, str]:
    """Return the card title (the message's, else its first line) and the rest as the body."""
    text = message.text.strip()
    if message.title:
        # A title taken from the text's first line is not repeated in the body.
        return message.title, text.removeprefix(message.title).strip()
    first, _, rest = text.partition("\n")
    return (first.strip() or default), rest.strip()


def _full_text(message: OutgoingMessage) -> str:
    return f"{message.title}\n\n{message.text}" if message.title else message.text


def recorded_card(task_id: str, message: OutgoingMessage) -> tuple[list[Outbound], dict[str, Any]]:
    """Return (texts to send first, the card) that replaces a pressed card without buttons.

    WeCom cannot remove every button from a button_interaction card, so the card keeps one
    inert "已记录" button whose key is no press (`press_from_event` gives None for it).
    """
    title_text, body = _title_and_body(message, RECORDED)
    page = _Page(((RECORDED, INERT_KEY),))
    if len(title_text) <= TITLE_CHARS and len(body) <= SUB_TITLE_CHARS:
        return [], _card(task_id, title_text, body or None, page, None)
    texts = [Outbound("text", part) for part in split_text(_full_text(message), TEXT_MAX_BYTES)]
    return texts, _card(task_id, shorten(title_text, TITLE_CHARS), SEE_TEXT_ABOVE, page, None)


def press_from_event(event: CardEvent) -> Press | None:
    """Return what a card press means, or None when the key or selection is not ours."""
    if event.event_key == MENU_KEY:
        chosen = event.options(MENU_QUESTION)
        return Press.decode(chosen[0]) if len(chosen) == 1 else None
    press = Press.decode(event.event_key)
    if press is None:
        return None
    chosen = event.options(ITEM_QUESTION)
    if not chosen:
        return press
    if len(chosen) != 1 or not chosen[0].isdigit() or len(chosen[0]) > 18:
        return None
    return replace(press, target=int(chosen[0]))


def card_ref(event: CardEvent) -> str:
    """Return the ref `WeComChannel.edit` takes for a pressed card: response code and task."""
    return f"{event.response_code}#{event.task_id}"


def parse_ref(ref: str) -> tuple[str, str | None]:
    """Split an edit ref into (response_code, task_id or None)."""
    code, _, task_id = ref.partition("#")
    return code, task_id or None
