"""/bind CODE and /unbind: join a chat to a unit (or the leadership) with a one-time code."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from core import binding as bindings


async def on_bind(convo: Conversation, args: list[str]) -> None:
    """Bind this chat with an invite code from the admin."""
    if not args:
        await convo.say(render.BIND_USAGE)
        return
    incoming = convo.incoming
    code = "".join(args)
    bound = await bindings.bind(
        convo.core, incoming.chat, code, incoming.title, person=incoming.person.id
    )
    await convo.say(render.bound(bound.unit, incoming.private, bound.level))


async def on_unbind(convo: Conversation, args: list[str]) -> None:
    """Unbind this chat; it stops receiving prompts."""
    previous = await bindings.unbind(convo.core, convo.incoming.chat)
    if previous is None:
        await convo.say(render.HOW_TO_BIND)
        return
    await convo.say(render.unbound(previous.unit))
