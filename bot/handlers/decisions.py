"""Leadership's [同意][不同意] on an extension request; the unit hears the outcome at once."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from core import extensions
from core.buttons import Press
from core.channel import OutgoingMessage
from storage import outbox


async def on_decision(convo: Conversation, press: Press) -> None:
    """Approve or reject an extension; only a leadership chat may, and only once."""
    core = convo.core
    binding = await convo.binding()
    decided = await extensions.decide(
        core, binding, press.target, press.choice == "yes", convo.incoming.person.name
    )
    mark = render.decision_mark(decided, core.today())
    await convo.acknowledge(mark)
    ref = convo.incoming.press_ref
    if ref is None or binding is None:
        return
    async with core.db.session(readonly=True) as session:
        request = await outbox.by_dedupe_key(session, f"extreq:{decided.id}:{binding.chat_id}")
    text = str(request.payload.get("text", "")) if request is not None else ""
    await convo.edit(ref, OutgoingMessage(f"{text}\n\n{mark}".strip()))
