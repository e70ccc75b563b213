"""Bind a chat to a unit (or the leadership) with a one-time code, and look bindings up.

Guessing is slow: a chat or a person that gives `GUESSES` wrong codes within `GUESS_WINDOW`
may not try again for `COOL_DOWN`, and is told so once; each wrong code and each cool-down is
logged. (The count is per process: replicas each keep their own.)
"""

from __future__ import annotations

import logging

from core.channel import ChatRef
from core.errors import InvalidInvite
from core.guesses import COOL_DOWN, GUESS_WINDOW, GUESSES
from core.runtime import Core
from storage import bindings, invites
from storage.chats import chat_key
from storage.records import BindingRecord

log = logging.getLogger(__name__)

ROBOT = "wecom_robot"


async def binding_of(core: Core, chat: ChatRef) -> BindingRecord | None:
    """Return what the chat is bound to, or None (cached for a short while)."""
    key = (chat.channel, chat.address)
    known, binding = core.bindings.get(key)
    if known:
        return binding
    async with core.db.session(readonly=True) as session:
        binding = await bindings.binding_at(session, chat.channel, chat.address)
    core.bindings.put(key, binding)
    return binding


async def bind(
    core: Core, chat: ChatRef, code: str, title: str | None, person: str | None = None
) -> BindingRecord:
    """Redeem an invite code and bind the chat to its unit (or to the leadership); refuse
    while the chat or the person is cooling down after too many wrong codes."""
    keys = [f"chat {chat.channel}:{chat.address}"]
    if person is not None:
        keys.append(f"person {chat.channel}:{person}")
    refusal = core.guesses.refuse(keys)
    if refusal is not None:
        log.debug("invite code refused unread: %s is cooling down", " / ".join(keys))
        raise refusal
    now = core.now()
    try:
        async with core.db.session() as session:
            key = await chat_key(session, chat.channel, chat.address, now, title)
            redeemed = await invites.redeem(session, code, key, now)
            binding = await bindings.bind(
                session, key, redeemed.unit, now, title, level=redeemed.level
            )
    except InvalidInvite as exc:
        log.info("wrong invite code from %s (%s)", " / ".join(keys), exc.reason)
        for locked in core.guesses.wrong(keys):
            log.warning(
                "%s gave %d wrong invite codes within %.0f minutes: refused for %.0f minutes",
                locked,
                GUESSES,
                GUESS_WINDOW / 60,
                COOL_DOWN / 60,
            )
        raise
    core.guesses.right(keys)
    core.bindings.put((chat.channel, chat.address), binding)
    return binding


async def unbind(core: Core, chat: ChatRef) -> BindingRecord | None:
    """End the chat's binding; return the binding it had."""
    async with core.db.session() as session:
        current = await bindings.binding_at(session, chat.channel, chat.address)
        if current is not None:
            await bindings.unbind(session, current.chat_id, core.now())
    core.bindings.put((chat.channel, chat.address), None)
    return current


async def bind_robot(core: Core, unit: str, key: str, title: str | None = None) -> BindingRecord:
    """Bind a group robot (its webhook key) to a unit: the day's prompts are posted there too."""
    name = core.units.resolve(unit)
    now = core.now()
    async with core.db.session() as session:
        chat = await chat_key(session, ROBOT, key, now, title or f"{name}群机器人")
        binding = await bindings.bind(session, chat, name, now, title)
    core.bindings.put((ROBOT, key), binding)
    return binding


async def unbind_robot(core: Core, unit: str) -> list[BindingRecord]:
    """Stop posting a unit's prompts to its group robots; return the robots unbound."""
    name = core.units.resolve(unit)
    async with core.db.session() as session:
        robots = [b for b in await bindings.chats_for_unit(session, name) if b.channel == ROBOT]
        for robot in robots:
            await bindings.unbind(session, robot.chat_id, core.now())
    for robot in robots:
        core.bindings.put((ROBOT, robot.address), None)
    return robots
