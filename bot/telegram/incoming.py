"""Turn a Telegram update into the dialogue's channel-neutral `Incoming`."""

from __future__ import annotations

from dataclasses import replace

from telegram import Bot, ChatMember, Message, Update

from bot.dialogue import Incoming, IncomingFile, Person
from bot.telegram.channel import NAME
from core.buttons import Press
from core.channel import ChatRef

_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


def to_incoming(update: Update, bot: Bot) -> Incoming | None:
    """Return what the update means, or None when it is nothing for us (an edit, another
    bot's command, an update without a chat)."""
    chat = update.effective_chat
    if chat is None:
        return None
    user = update.effective_user
    base = Incoming(
        chat=ChatRef(NAME, str(chat.id)),
        person=Person(str(user.id), user.full_name) if user else Person("0", "未知"),
        private=chat.type == "private",
        key=f"{NAME}:{update.update_id}",
        title=chat.title or chat.full_name,
    )
    if update.callback_query is not None:
        query = update.callback_query
        pressed = query.message if isinstance(query.message, Message) else None
        return replace(
            base,
            event="press",
            press=Press.decode(query.data),
            press_ref=str(pressed.message_id) if pressed is not None else None,
        )
    if update.my_chat_member is not None:
        change = update.my_chat_member
        was = change.old_chat_member.status in _PRESENT
        now = change.new_chat_member.status in _PRESENT
        if was == now:
            return None
        return replace(base, event="joined" if now else "left")
    # New messages only: an edited message is not a second answer or a second report.
    message = update.message
    if message is None:
        return None
    text = _own_command(message.text or message.caption or "", bot.username)
    if text is None:
        return None
    replied = message.reply_to_message
    return replace(
        base,
        text=text,
        reply_to=str(replied.message_id) if replied is not None else None,
        reply_to_bot=bool(replied and replied.from_user and replied.from_user.id == bot.id),
        file=_file(message, bot),
    )


def _own_command(text: str, username: str | None) -> str | None:
    """Return the text with `/cmd@our_bot` read as `/cmd`; None for another bot's command."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    name, at, target = head.partition("@")
    if at and (username is None or target.lower() != username.lower()):
        return None
    return f"{name} {rest}".strip()


def _file(message: Message, bot: Bot) -> IncomingFile | None:
    """Return the photo or document a message carries, with a way to download it."""
    if message.photo:
        photo = message.photo[-1]
        file_id = photo.file_id

        async def fetch_photo() -> bytes:
            return bytes(await (await bot.get_file(file_id)).download_as_bytearray())

        # A photo has no name of its own: the core names it by when it came.
        return IncomingFile(file_id, "photo", None, "image/jpeg", photo.file_size, fetch_photo)
    document = message.document
    if document is not None:
        doc_id = document.file_id

        async def fetch_document() -> bytes:
            return bytes(await (await bot.get_file(doc_id)).download_as_bytearray())

        return IncomingFile(
            doc_id,
            "document",
            document.file_name,
            document.mime_type,
            document.file_size,
            fetch_document,
        )
    return None
