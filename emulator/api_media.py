"""Bot API methods for photos, documents and file downloads."""

from __future__ import annotations

from typing import Any

from emulator.api_messages import reply_target
from emulator.errors import bad_request
from emulator.formatting import parse_formatted
from emulator.messages import MAX_CAPTION, bot_chat, inline_keyboard, new_message, public_copy
from emulator.params import Params, Upload
from emulator.state import EmulatorState, StoredFile


def photo_sizes(state: EmulatorState, data: bytes) -> list[dict[str, Any]]:
    """Store a photo and describe it as Telegram's thumbnail and full-size PhotoSize list."""
    sizes = []
    for width in (90, 320):
        stored = state.store_file(data, "photos", "photo.jpg", "image/jpeg")
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data),
                "width": width,
                "height": width,
            }
        )
    return sizes


def document_object(stored: StoredFile) -> dict[str, Any]:
    """Describe a stored file as a Bot API Document."""
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def _input_file(state: EmulatorState, params: Params, name: str) -> Upload | StoredFile:
    """Find the file given as an upload, an attach:// reference or a known file_id."""
    if name in params.uploads:
        return params.uploads[name]
    value = params.text(name) or ""
    if value.startswith("attach://") and value[9:] in params.uploads:
        return params.uploads[value[9:]]
    if value in state.files:
        return state.files[value]
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    raise bad_request(f"there is no {name} in the request" if not value else "invalid file_id")


def _caption(params: Params) -> dict[str, Any]:
    raw = params.text("caption")
    if not raw:
        return {}
    caption, entities = parse_formatted(raw, params.text("parse_mode"))
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return {"caption": caption, "caption_entities": entities}


async def send_photo(state: EmulatorState, params: Params) -> Any:
    """Send a photo from the bot."""
    chat = bot_chat(state, params.values.get("chat_id"))
    source = _input_file(state, params, "photo")
    content = {"photo": photo_sizes(state, source.data), **_caption(params)}
    content["reply_markup"] = inline_keyboard(params.obj("reply_markup"))
    message = new_message(state, chat, state.bot, content, reply_target(chat, params))
    state.record_event("sent", chat.id, message=message)
    return public_copy(message)


async def send_document(state: EmulatorState, params: Params) -> Any:
    """Send a document from the bot, keeping its file name, size and caption."""
    chat = bot_chat(state, params.values.get("chat_id"))
    source = _input_file(state, params, "document")
    if isinstance(source, Upload):
        stored = state.store_file(
            source.data, "documents", source.filename, source.content_type or None
        )
    else:
        stored = source
    content = {"document": document_object(stored), **_caption(params)}
    content["reply_markup"] = inline_keyboard(params.obj("reply_markup"))
    message = new_message(state, chat, state.bot, content, reply_target(chat, params))
    state.record_event("sent", chat.id, message=message)
    return public_copy(message)


async def get_file(state: EmulatorState, params: Params) -> Any:
    """Describe a file so the bot can download it from the file URL."""
    stored = state.files.get(params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
