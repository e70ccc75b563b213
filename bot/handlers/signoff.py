"""Sign-off (销号) in chat: leadership's 通过 / 退回 on a 【办结审核】, the reason a 退回 asks
for, and a unit's `撤回 2.3`; the card is edited to show who settled what."""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers.common import TASK_ID, reporter, require_binding
from core import conversation, signoff
from core.buttons import Press
from core.channel import OutgoingMessage
from core.errors import StaleButton
from storage.records import BindingRecord, QuestionRecord


async def on_signoff_press(convo: Conversation, press: Press) -> None:
    """Pass a report at once, or ask the leader why it goes back."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    if press.choice == "pass":
        decided = await signoff.sign_off(
            core, press.target, by=reporter(convo, binding), leadership=binding.is_leadership
        )
        await convo.tell(render.signed_off(decided))
        await _update_card(convo, binding, press.target, convo.incoming.press_ref)
        return
    if press.choice != "return":
        raise StaleButton
    person = convo.incoming.person.id
    asked = await signoff.ask_reason(core, binding, press.target, person, convo.incoming.press_ref)
    await convo.acknowledge()
    ref = await convo.ask(render.ask_return_reason(asked.task_id, asked.unit))
    await conversation.asked(core, asked.id, ref)


async def on_reason(convo: Conversation, binding: BindingRecord, asked: QuestionRecord) -> None:
    """Take a leader's message as the reason for a 退回: return the report, tell the unit."""
    text = convo.incoming.text
    decided = await signoff.answer_reason(convo.core, asked, text, by=reporter(convo, binding))
    if asked.entry_id is not None:
        await _update_card(convo, binding, asked.entry_id, asked.prompt_ref)
    await convo.say(render.returned(decided))


async def on_withdraw(convo: Conversation, args: list[str]) -> None:
    """Withdraw this unit's 已完成 of a task before it is signed off: 撤回 2.3."""
    binding = await require_binding(convo)
    if binding is None:
        return
    if len(args) != 1 or not TASK_ID.fullmatch(args[0]):
        await convo.say(render.WITHDRAW_USAGE)
        return
    decided = await signoff.withdraw(
        convo.core, binding.unit, args[0], by=reporter(convo, binding)
    )
    await convo.say(render.withdrawn(decided))


async def _update_card(
    convo: Conversation, binding: BindingRecord, entry_id: int, ref: str | None
) -> None:
    """Edit the 【办结审核】 in place: note what is settled, keep the buttons of what waits."""
    if ref is None:
        return
    card = await signoff.review_card(convo.core, binding.chat_id, entry_id)
    if card is None:
        return
    tz = convo.core.tz
    text = render.review_after_decision(card.text, card.marks, not card.waiting, tz)
    buttons = signoff.review_buttons(card.waiting)
    await convo.edit(ref, OutgoingMessage(text, buttons, title=card.text.split("\n", 1)[0]))
