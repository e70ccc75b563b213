"""Route what a person did to its handler, on every channel alike.

Commands work with or without the slash and by their Chinese names (`状态 社区科` is
`/status 社区科`); presses go by what the button means; anything else is a possible answer.
A domain error becomes one calm sentence; anything unexpected is logged and the person hears
a short apology, once.

The ledger being unreachable is handled here, once for every handler: an update the person
has heard nothing about yet is tried again after a moment (every action is idempotent on the
update's key, so a transaction that did commit is found, not repeated); if the ledger stays
away the person is told plainly, once, that nothing was recorded and to try again, and it is
logged in one line. Handlers confirm right after their transaction commits, so an error after
a confirmation is only logged: what the person was told stays true.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import render
from bot.dialogue import Acknowledge, Conversation, DialogueMemory, Incoming
from bot.handlers import (
    answers,
    bind,
    board,
    decisions,
    leadership,
    lists,
    membership,
    pause,
    report,
    signoff,
    start,
    status,
    urge,
)
from core.buttons import Press
from core.channel import Channel, TryLater, Undeliverable
from core.errors import DubanError
from core.runtime import Core
from storage.database import reason, unreachable

log = logging.getLogger(__name__)

CommandHandler = Callable[[Conversation, list[str]], Awaitable[None]]

# Waits (seconds) before trying an update again while the ledger is unreachable.
RETRY_DELAYS = (0.2, 0.5, 1.0)

# English names (Telegram's menu) and the Chinese words people type for them.
COMMANDS: dict[str, CommandHandler] = {
    "start": start.on_start,
    "help": start.on_start,
    "bind": bind.on_bind,
    "unbind": bind.on_unbind,
    "status": status.on_status,
    "tasks": lists.on_tasks,
    "upcoming": lists.on_upcoming,
    "overdue": lists.on_overdue,
    "report": report.on_report,
    "history": report.on_history,
    "digest": leadership.on_digest,
    "export": leadership.on_export,
    "board": board.on_board,
    "withdraw": signoff.on_withdraw,
    "pause": pause.on_pause,
    "resume": pause.on_resume,
}
ALIASES: dict[str, str] = {
    "帮助": "help",
    "绑定": "bind",
    "解绑": "unbind",
    "解除绑定": "unbind",
    "状态": "status",
    "任务": "tasks",
    "临近": "upcoming",
    "逾期": "overdue",
    "汇报": "report",
    "历史": "history",
    "周报": "digest",
    "导出": "export",
    "台账": "export",
    "看板": "board",
    "撤回": "withdraw",
    "暂停": "pause",
    "恢复": "resume",
}


@dataclass(frozen=True, slots=True)
class Command:
    """A command a person typed: its name (English) and the words after it."""

    name: str
    args: list[str]


def read_command(text: str) -> Command | None:
    """Return the command a message starts with (`/status x`, `状态 x`), or None."""
    words = text.strip().split()
    if not words:
        return None
    head, args = words[0], words[1:]
    if head.startswith("/"):
        name = head[1:].lower()
        return Command(ALIASES.get(name, name), args)
    if head in ALIASES:
        return Command(ALIASES[head], args)
    return None


async def _unless_the_channel_refuses(convo: Conversation, answer: Awaitable[None]) -> None:
    """Answer, unless the channel will not take it (after quick retries): that is logged as
    the channel's trouble, not raised as a bug of ours."""
    try:
        await answer
    except (TryLater, Undeliverable) as exc:
        log.warning("%s: could not answer: %s", convo.incoming.key, exc)


class Dialogue:
    """One process's dialogue: hands each update to its handler inside a Conversation."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.memory = DialogueMemory()

    async def handle(
        self, incoming: Incoming, channel: Channel, acknowledge: Acknowledge | None = None
    ) -> None:
        """Handle one update: route it, and turn errors into calm sentences."""
        convo = Conversation(self.core, incoming, channel, acknowledge, self.memory)
        try:
            await self._route_again_while_unreachable(convo)
        except Exception as exc:
            # Saying what went wrong goes through the channel too.
            await _unless_the_channel_refuses(convo, self._explain(convo, exc))
        finally:
            # A press always gets its acknowledgement, or the button keeps spinning (one the
            # channel will not take is logged by the conversation).
            await convo.acknowledge()

    async def _explain(self, convo: Conversation, exc: Exception) -> None:
        """Log an error that escaped a handler and tell the person, calmly."""
        if unreachable(exc):
            log.warning(
                "%s not handled: the database is unreachable (%s)", convo.incoming.key, reason(exc)
            )
            if not convo.spoke:
                await convo.tell(render.NOT_RECORDED, alert=True)
        elif isinstance(exc, (TryLater, Undeliverable)):
            raise exc  # the channel's trouble, logged as such by the caller
        elif isinstance(exc, DubanError):
            log.info("refused: %s", exc)
            text = render.error(exc)
            if text:
                await convo.tell(text, alert=True)
        else:
            log.exception("unhandled error on %s", convo.incoming.key)
            if not convo.spoke:
                await convo.tell(render.SORRY, alert=True)

    async def _route_again_while_unreachable(self, convo: Conversation) -> None:
        for delay in (*RETRY_DELAYS, None):
            try:
                await self._route(convo)
            except Exception as exc:
                if delay is None or convo.spoke or not unreachable(exc):
                    raise
                log.debug(
                    "%s: the database is unreachable (%s); trying again",
                    convo.incoming.key,
                    reason(exc),
                )
                await asyncio.sleep(delay)
            else:
                return

    async def _route(self, convo: Conversation) -> None:
        incoming = convo.incoming
        if incoming.event == "joined":
            await membership.on_joined(convo)
        elif incoming.event == "left":
            await membership.on_left(convo)
        elif incoming.event == "press":
            await self._press(convo, incoming.press)
        elif incoming.file is not None:
            await answers.on_file(convo)
        elif (command := read_command(incoming.text)) is not None:
            handler = COMMANDS.get(command.name, start.on_unknown_command)
            await handler(convo, command.args)
        else:
            await answers.on_text(convo)

    async def _press(self, convo: Conversation, press: Press | None) -> None:
        if press is None:
            await convo.tell(render.STALE_BUTTON)
        elif press.kind == "answer":
            await answers.on_answer_press(convo, press)
        elif press.kind == "decide":
            await decisions.on_decision(convo, press)
        elif press.kind == "pick":
            await answers.on_pick_press(convo, press)
        elif press.kind == "signoff":
            await signoff.on_signoff_press(convo, press)
        elif press.kind == "urge":
            await urge.on_urge_press(convo, press)
        else:
            await convo.tell(render.STALE_BUTTON)
