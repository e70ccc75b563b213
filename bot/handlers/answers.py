"""Answering prompts: a press asks for what is needed, the answer records it, the prompt updates.

- A press on 已完成 records at once, then asks for an optional note or evidence.
- A press on 进行中 / 遇到困难 / 申请延期 asks its question; the person's answer (a reply to
  it, or their next message where the channel has no replies) records it.
- A reply to a prompt is a note on its item; when the prompt has several open items the bot
  asks which one, with a button per item.
- Anything else is not an answer: a group hears nothing, a private chat gets a hint.
"""

from __future__ import annotations

from bot import render
from bot.dialogue import Conversation
from bot.handlers import signoff
from bot.handlers.common import TASK_ID, reporter, require_binding
from core import conversation, extensions, progress, prompts, rules
from core.buttons import Button, Press
from core.channel import OutgoingMessage
from core.errors import DubanError, ForeignButton, NotYourQuestion, QuestionClosed
from core.evidence import EvidenceUnavailable
from storage.records import BindingRecord, OutboxItemRecord, QuestionRecord
from vocabulary import read_status


async def on_answer_press(convo: Conversation, press: Press) -> None:
    """Handle a press on a prompt's status button."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    item = await prompts.pressed_item(core, binding, press)
    status = read_status(press.choice)
    person = convo.incoming.person
    if status is None:
        raise ForeignButton
    if status == "done":
        by = reporter(convo, binding)
        entry = await progress.report(
            core, binding.unit, item.task_id, "done", by=by, milestone_id=item.milestone_id
        )
        await convo.acknowledge(render.report_done(item.task_id))
        await _update_prompt(convo, item, convo.incoming.press_ref)
        if not by.recorded(entry.source_key):
            return  # a repeated tap: recorded once, and its evidence already asked for
        asked = await conversation.ask(
            core, binding.chat_id, person.id, "evidence", entry=entry
        )
        ref = await convo.ask(render.done_recorded(item.task_id))
        await conversation.asked(core, asked.id, ref)
        return
    if status == "extension":
        await extensions.check_extendable(core, binding.unit, item.task_id, item.milestone_id)
    kind = conversation.QUESTION_AFTER[status]
    asked = await conversation.ask(
        core, binding.chat_id, person.id, kind, item=item, prompt_ref=convo.incoming.press_ref
    )
    await convo.acknowledge()
    ref = await convo.ask(render.ask_for(status, item.task_id))
    await conversation.asked(core, asked.id, ref)


async def on_pick_press(convo: Conversation, press: Press) -> None:
    """Record a reply's note for the item the person picked."""
    binding = await require_binding(convo)
    if binding is None:
        return
    core = convo.core
    asked = await conversation.question(core, press.target)
    if asked is None or asked.kind != "pick" or asked.chat_id != binding.chat_id:
        raise ForeignButton
    if asked.person != convo.incoming.person.id:
        raise NotYourQuestion
    if asked.closed_at is not None or asked.expires_at <= core.now():
        raise QuestionClosed
    item = await prompts.own_item(core, binding, press.extra or 0)
    answered = await conversation.answer_pick(core, asked, item, by=reporter(convo, binding))
    await convo.acknowledge()
    await convo.say(render.recorded(item.task_id, answered.status, answered.entry))
    await _update_prompt(convo, item, asked.prompt_ref)


async def on_text(convo: Conversation) -> None:
    """Take a message as the answer to the person's open question or as a reply to a prompt."""
    incoming = convo.incoming
    binding = await convo.binding()
    if binding is None:
        if incoming.private or incoming.reply_to_bot:
            await convo.say(render.HOW_TO_BIND)
        return
    core = convo.core
    again = await progress.recorded_by_update(core, incoming.key)
    if again is not None:
        # This very message was recorded before (it came again, or its first handling was
        # cut short after the commit): confirm it, record nothing more.
        await convo.say(render.recorded(again.task_id, again.status))
        return
    asked = await conversation.open_question(core, binding.chat_id, incoming.person.id)
    # A question whose message reference was never stored takes any reply.
    if asked is not None and incoming.reply_to in (None, asked.question_ref or incoming.reply_to):
        if asked.kind == "reason":
            await signoff.on_reason(convo, binding, asked)  # a leader's 退回: why
        else:
            await _answer(convo, binding, asked)
        return
    if incoming.reply_to is not None and incoming.reply_to_bot:
        earlier = await conversation.answered_before(
            core, binding.chat_id, incoming.person.id, incoming.reply_to, incoming.text
        )
        if earlier is not None:
            # The same answer again: its confirmation never arrived (a restart cut it off).
            await convo.say(render.recorded(earlier.task_id, earlier.status))
            return
        prompt = await prompts.prompt_by_ref(core, binding.chat_id, incoming.reply_to)
        if prompt is not None:
            await _reply_to_prompt(convo, binding, prompt)
            return
    if incoming.private:
        await _hint(convo, binding)


async def on_file(convo: Conversation) -> None:
    """Keep a photo or file as evidence of the 已完成 its sender was just asked about."""
    incoming = convo.incoming
    binding = await convo.binding()
    if binding is None:
        if incoming.private:
            await convo.say(render.HOW_TO_BIND)
        return
    core = convo.core
    asked = await conversation.open_question(core, binding.chat_id, incoming.person.id)
    fits = asked is not None and incoming.reply_to in (None, asked.question_ref)
    if asked is None or not fits or asked.kind != "evidence" or asked.entry_id is None:
        await convo.say(render.EVIDENCE_HINT)
        return
    file = incoming.file
    if file is None or asked.task_id is None:
        return
    await progress.keep_evidence(
        core,
        asked.entry_id,
        ref=file.ref,
        kind=file.kind,
        name=file.name,
        mime_type=file.mime_type,
        size=file.size,
        fetch=file.fetch or _unavailable,
    )
    await convo.say(render.evidence_saved(asked.task_id))


async def _unavailable() -> bytes:
    raise EvidenceUnavailable


async def _answer(convo: Conversation, binding: BindingRecord, asked: QuestionRecord) -> None:
    """Record the answer to an open question, confirm it, and update the prompt."""
    core = convo.core
    text = convo.incoming.text
    task_id = asked.task_id or ""
    try:
        answered = await conversation.answer(core, asked, text, by=reporter(convo, binding))
    except DubanError as exc:
        if asked.kind != "date":
            raise
        # Ask again; the answer to this question is read the same way.
        ref = await convo.ask(render.ask_again(task_id, render.error(exc)))
        await conversation.asked(core, asked.id, ref)
        return
    # Confirm first: what follows only tidies the prompt, and cannot undo the record.
    if answered.filed is not None:
        await convo.say(render.extension_filed(answered.filed, core.today()))
    else:
        await convo.say(render.recorded(task_id, answered.status, answered.entry))
    if asked.outbox_item_id is not None and asked.prompt_ref is not None:
        await _update_prompt_by_id(convo, asked.outbox_item_id, asked.prompt_ref)


async def _reply_to_prompt(
    convo: Conversation, binding: BindingRecord, prompt: prompts.PromptState
) -> None:
    """Record a reply to a prompt as a note on its item; ask which item when it is unclear."""
    core = convo.core
    text = convo.incoming.text.strip()
    mine = [i for i in prompt.open_items if prompts.may_answer(binding, i)]
    if not mine:
        return
    first = text.split()[0] if text else ""
    named = [i for i in mine if TASK_ID.fullmatch(first) and i.task_id == first]
    if named:
        item, text = named[0], text[len(first) :].strip()
    elif len(mine) == 1:
        item = mine[0]
    else:
        person = convo.incoming.person.id
        asked = await conversation.ask(
            core, binding.chat_id, person, "pick", text=text, prompt_ref=convo.incoming.reply_to
        )
        buttons = tuple((Button(i.task_id, Press("pick", asked.id, "item", i.id)),) for i in mine)
        ref = await convo.ask(render.ASK_WHICH, buttons)
        await conversation.asked(core, asked.id, ref)
        return
    note, percent = rules.split_percent(text)
    entry = await progress.report(
        core,
        binding.unit,
        item.task_id,
        "in_progress",
        by=reporter(convo, binding),
        note=note,
        percent=percent,
        milestone_id=item.milestone_id,
    )
    await convo.say(render.recorded(item.task_id, "in_progress", entry))
    await _update_prompt(convo, item, convo.incoming.reply_to)


async def _update_prompt(convo: Conversation, item: OutboxItemRecord, ref: str | None) -> None:
    """Edit the prompt in place: note what was recorded, keep the buttons of what is left."""
    if ref is None:
        return
    state = await prompts.prompt_of_item(convo.core, item)
    if state is None:
        return
    text = render.prompt_after_answer(state.text, state.marks, finished=not state.open_items)
    buttons = prompts.answer_buttons(list(state.open_items))
    await convo.edit(ref, OutgoingMessage(text, buttons, title=state.text.split("\n", 1)[0]))


async def _update_prompt_by_id(convo: Conversation, item_id: int, ref: str) -> None:
    binding = await convo.binding()
    if binding is None:
        return
    item = await prompts.own_item(convo.core, binding, item_id)
    await _update_prompt(convo, item, ref)


async def _hint(convo: Conversation, binding: BindingRecord) -> None:
    """Tell a private chat how to report, once in a while rather than after every line."""
    if convo.memory.may_hint(binding.chat_id):
        await convo.say(render.NOT_A_UNIT_CHAT if binding.unit is None else render.REPLY_HINT)
