"""看板 (/看板): a single-use login link to the web board, sent to the person privately."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import require_binding
from core import board
from core.channel import OutgoingMessage, Undeliverable
from vocabulary import cn_time


async def on_board(convo: Conversation, args: list[str]) -> None:
    """Send the person a link to the board: leadership's opens all, a unit's its own pages."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    url, until = await board.board_link(core, binding)
    text = render.board_link(url, cn_time(until, core.tz), binding.unit)
    person = convo.incoming.person
    if convo.incoming.private:
        await convo.say(text)
        return
    try:
        # In a group the link goes to the person's own chat with the bot, never the group.
        await convo.channel.send(person.id, OutgoingMessage(text))
    except Undeliverable:
        await convo.say(render.BOARD_START_PRIVATELY)
        return
    await convo.say(render.board_link_sent(person.name))
