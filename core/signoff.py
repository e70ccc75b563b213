"""Sign-off (销号): leadership passes or returns what a unit reported done, and a unit may
withdraw its own 已完成 until then; the same rules from chat, the CLI and simulate.

A 已完成 waits for sign-off (待验收) when the bureau uses it (`PolicySettings.signoff`); the
daily 【办结审核】 lists what waits (`scheduler.leadership`). 通过 signs the milestone off;
退回 (with a reason) reopens it and the unit is told at once, so its reminders resume; 撤回
reopens it too. Every step is an append-only row naming the report it is about
(`storage.signoffs`); a press on a report that waits for nothing any more changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core import conversation
from core.actor import Reporter
from core.buttons import Button, Press
from core.errors import (
    LeadershipOnlyAction,
    NotAUnitChat,
    NotAwaitingSignoff,
    NothingToWithdraw,
    NotOwner,
    QuestionClosed,
    ReasonNeeded,
    StaleButton,
)
from core.runtime import Core
from scheduler.drafts import outbox_draft
from scheduler.leadership import outcome_text
from scheduler.payload import OutboxPayload, PayloadReview
from storage import bindings, outbox, questions, signoffs
from storage.milestone_queries import milestone_statuses
from storage.milestones import MilestoneStatus
from storage.plans import task_by_id, unit_ids
from storage.progress import entry as entry_by_id
from storage.records import BindingRecord, EntryRecord, QuestionRecord, ReviewItem, Verdict
from storage.signoffs import ReviewState, SignoffStep

SIGN_OFF_LABEL = "通过"
RETURN_LABEL = "退回"


@dataclass(frozen=True, slots=True)
class Decided:
    """A step taken on a reported 已完成: the report, what it closes, and the steps recorded."""

    entry: EntryRecord
    milestones: tuple[MilestoneStatus, ...]
    steps: tuple[SignoffStep, ...]

    @property
    def verdict(self) -> Verdict:
        """Return what was decided (pass, return or withdraw)."""
        return self.steps[0].verdict

    @property
    def title(self) -> str:
        """Return the task's title."""
        return self.milestones[0].title if self.milestones else ""


@dataclass(frozen=True, slots=True)
class ReviewMark:
    """An item of a 【办结审核】 that is settled: which, and the step that settled it."""

    task_id: str
    unit: str
    step: SignoffStep


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """A sent 【办结审核】 as it should read now: its text, what is settled, what still waits."""

    text: str
    marks: tuple[ReviewMark, ...]
    waiting: tuple[PayloadReview, ...]


def review_buttons(reviews: Sequence[PayloadReview]) -> tuple[tuple[Button, ...], ...]:
    """Return a [2.3 通过][退回] row per report a 【办结审核】 lists."""
    return tuple(
        (
            Button(f"{r.task} {SIGN_OFF_LABEL}", Press("signoff", r.entry_id, "pass")),
            Button(RETURN_LABEL, Press("signoff", r.entry_id, "return")),
        )
        for r in reviews
    )


def for_leadership(binding: BindingRecord | None) -> bool:
    """Return whether a chat speaks for the leadership (who may pass and return)."""
    return binding is not None and binding.is_leadership


def _leadership(leadership: bool) -> None:
    if not leadership:
        raise LeadershipOnlyAction("signoff")


async def _waiting(session: AsyncSession, core: Core, entry_id: int) -> ReviewState:
    """Return a report that waits for sign-off now; raise if it waits for none."""
    try:
        state = await signoffs.review_state(session, entry_id, core.now())
    except LookupError:
        raise StaleButton from None
    if not core.policy.signoff or not state.waiting:
        raise NotAwaitingSignoff(state.entry.task_id, state.entry.unit, state.closed_by)
    return state


async def sign_off(core: Core, entry_id: int, *, by: Reporter, leadership: bool) -> Decided:
    """Pass a reported 已完成 (通过): its milestones are 办结; the unit hears it.

    `leadership`: whether `by` acts for the leadership (a leadership chat, the admin's CLI).
    """
    _leadership(leadership)
    async with core.db.session() as session:
        decided = await _decide(session, core, entry_id, "pass", by)
    core.changed()
    return decided


async def send_back(
    core: Core, entry_id: int, reason: str, *, by: Reporter, leadership: bool
) -> Decided:
    """Return a reported 已完成 with a reason (退回): it reopens, the unit is told why."""
    _leadership(leadership)
    if not reason.strip():
        raise ReasonNeeded
    async with core.db.session() as session:
        decided = await _decide(session, core, entry_id, "return", by, reason.strip())
    core.changed()
    return decided


async def ask_reason(
    core: Core, binding: BindingRecord | None, entry_id: int, person: str, card_ref: str | None
) -> QuestionRecord:
    """Open the question a 退回 asks its leader in chat: why (the card is edited once it is
    answered); refuse at once what no reason could make right."""
    _leadership(for_leadership(binding))
    assert binding is not None  # noqa: S101 - for_leadership checked it
    async with core.db.session(readonly=True) as session:
        state = await _waiting(session, core, entry_id)
    return await conversation.ask(
        core, binding.chat_id, person, "reason", entry=state.entry, prompt_ref=card_ref
    )


async def answer_reason(core: Core, asked: QuestionRecord, text: str, *, by: Reporter) -> Decided:
    """Return the report a 退回 question is about, with the typed reason; close the question."""
    if asked.entry_id is None:
        raise QuestionClosed
    if not text.strip():
        raise ReasonNeeded
    stale: NotAwaitingSignoff | None = None
    async with core.db.session() as session:
        if not await questions.close(session, asked.id, core.now()):
            raise QuestionClosed
        try:
            decided = await _decide(session, core, asked.entry_id, "return", by, text.strip())
        except NotAwaitingSignoff as exc:
            # Settled meanwhile (passed elsewhere, withdrawn): nothing waits for this answer.
            stale = exc
    if stale is not None:
        raise stale
    core.changed()
    return decided


async def _decide(
    session: AsyncSession,
    core: Core,
    entry_id: int,
    verdict: Verdict,
    by: Reporter,
    reason: str | None = None,
) -> Decided:
    """Record a leader's step on every milestone the report closes; queue the unit's notice."""
    state = await _waiting(session, core, entry_id)
    now = core.now()
    steps = tuple(
        [
            await signoffs.record(
                session, done, verdict, by.name, now, reason=reason, by_chat_id=by.chat_id
            )
            for done in state.waiting
        ]
    )
    done = state.entry
    milestones = tuple(m for m in state.milestones if m.done_entry_id in state.waiting)
    text = outcome_text(
        done.task_id,
        milestones[0].title if milestones else "",
        milestones,
        verdict,
        by.name,
        now.astimezone(core.tz).date(),
        reason,
    )
    key = f"signoff_out:{steps[0].id}"
    drafts = [
        outbox_draft(f"{key}:{c.chat_id}", c.chat_id, done.unit, "signoff_outcome", text, now)
        for c in await bindings.chats_for_unit(session, done.unit)
    ]
    await outbox.enqueue_many(session, drafts, now)
    return Decided(done, milestones, steps)


async def withdraw(core: Core, unit: str | None, task_id: str, *, by: Reporter) -> Decided:
    """Withdraw a unit's own 已完成 of a task (撤回) until leadership signs it off."""
    if unit is None:
        raise NotAUnitChat
    now = core.now()
    async with core.db.session() as session:
        task = await task_by_id(session, task_id)
        if unit not in task.units:
            raise NotOwner(task.id, unit, task.units)
        unit_id = (await unit_ids(session))[unit]
        reported = [
            m
            for m in await milestone_statuses(
                session, now, signoff=core.policy.signoff, pair=(task.row, unit_id)
            )
            if m.state != "open" and m.done_entry_id is not None
        ]
        passed = [
            s.entry_id
            for s in await signoffs.steps_for(session, task.row)
            if s.verdict == "pass" and s.unit_id == unit_id
        ]
        # Without sign-off a 已完成 closes at once, but nobody has signed it off: the unit
        # may still take its own word back.
        mine = [
            m
            for m in reported
            if m.state == "awaiting"
            or (not core.policy.signoff and not any(p >= (m.done_entry_id or 0) for p in passed))
        ]
        if not mine:
            raise NothingToWithdraw(task.id, signed=bool(reported))
        done_ids = sorted({m.done_entry_id for m in mine if m.done_entry_id is not None})
        steps = tuple(
            [
                await signoffs.record(session, d, "withdraw", by.name, now, by_chat_id=by.chat_id)
                for d in done_ids
            ]
        )
        done = await entry_by_id(session, done_ids[-1])
    core.changed()
    return Decided(done, tuple(mine), steps)


async def waiting(core: Core) -> list[ReviewItem]:
    """Return every reported 已完成 that waits for sign-off now (the CLI's list)."""
    if not core.policy.signoff:
        return []
    async with core.db.session(readonly=True) as session:
        return await signoffs.reviews(session, core.now())


async def waiting_report(core: Core, unit: str, task_id: str) -> ReviewItem:
    """Return the report of a (task, unit) that waits for sign-off (for the CLI by name)."""
    async with core.db.session(readonly=True) as session:
        task = await task_by_id(session, task_id)
    if unit not in task.units:
        raise NotOwner(task.id, unit, task.units)
    found = [i for i in await waiting(core) if i.entry.task_id == task.id and i.entry.unit == unit]
    if not found:
        raise NotAwaitingSignoff(task.id, unit)
    return found[0]


async def review_card(core: Core, chat_id: int, entry_id: int) -> ReviewCard | None:
    """Return the latest 【办结审核】 a chat was sent that lists a report, as it reads now."""
    now = core.now()
    async with core.db.session(readonly=True) as session:
        for message in await outbox.recent_to_chat(session, chat_id, "signoff_review"):
            payload = OutboxPayload.from_json(message.payload)
            if entry_id not in {r.entry_id for r in payload.reviews}:
                continue
            marks: list[ReviewMark] = []
            left: list[PayloadReview] = []
            for review in payload.reviews:
                try:
                    state = await signoffs.review_state(session, review.entry_id, now)
                except LookupError:
                    continue
                if state.closed_by is not None:
                    marks.append(ReviewMark(review.task, state.entry.unit, state.closed_by))
                elif state.waiting and core.policy.signoff:
                    left.append(review)
            return ReviewCard(payload.text, tuple(marks), tuple(left))
    return None
