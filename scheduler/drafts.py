"""The outbox payload contract, written in one place (the bot's sender reads it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scheduler.messages import PromptItem
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
    buttons: str | None = None,
    extension_id: int | None = None,
) -> OutboxDraft:
    """Return an outbox row: its text, its items (one per milestone) and its buttons."""
    payload: dict[str, Any] = {
        "text": text,
        "items": [
            {
                "task": i.task_id,
                "unit": i.unit,
                "milestone_id": i.milestone_id,
                "kind": i.kind,
                "due": i.due.isoformat() if i.due else None,
                "action": i.action,
            }
            for i in items
        ],
        "buttons": buttons,
        "extension_id": extension_id,
    }
    return OutboxDraft(
        dedupe_key=key,
        chat_id=chat,
        recipient=recipient,
        kind=kind,
        payload=payload,
        not_before=not_before,
        items=tuple(
            OutboxItemDraft(i.task_row, i.unit, i.kind, i.milestone_id, i.point_day) for i in items
        ),
    )
