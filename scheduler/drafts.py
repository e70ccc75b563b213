"""Outbox rows as the scheduler writes them: a typed payload and the items behind it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scheduler.messages import PromptItem
from scheduler.payload import ButtonSet, OutboxPayload, PayloadItem, PayloadReview
from storage.records import OutboxDraft, OutboxItemDraft, OutboxKind


def outbox_draft(
    key: str,
    chat: int,
    recipient: str,
    kind: OutboxKind,
    text: str,
    not_before: datetime,
    *,
    items: Sequence[PromptItem] = (),
    buttons: ButtonSet | None = None,
    extension_id: int | None = None,
    reviews: Sequence[PayloadReview] = (),
) -> OutboxDraft:
    """Return an outbox row: its text, its items (one per milestone) and its buttons."""
    payload = OutboxPayload(
        text=text,
        items=tuple(
            PayloadItem(i.task_id, i.unit, i.milestone_id, i.kind, i.due, i.action) for i in items
        ),
        buttons=buttons,
        extension_id=extension_id,
        reviews=tuple(reviews),
    )
    return OutboxDraft(
        dedupe_key=key,
        chat_id=chat,
        recipient=recipient,
        kind=kind,
        payload=payload.to_json(),
        not_before=not_before,
        items=tuple(
            OutboxItemDraft(i.task_row, i.unit, i.kind, i.milestone_id, i.point_day) for i in items
        ),
    )
